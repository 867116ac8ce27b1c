import { nodeApiSubjects } from '../run/node-api.js';
import { POOLED_OVERHEAD_MS } from '../run/plan.js';
import type { SubjectFamily } from '../run/subject.js';
import { NODE } from '../run/workers.js';

/** Node's own `fs`, `fs.promises`, `dgram` and `net`: the references binio is measured against. */
export const family: SubjectFamily = {
  name: `Node ${process.version}`,
  order: 20,
  async probe() {
    return { subjects: nodeApiSubjects(NODE, 'node', 'node', POOLED_OVERHEAD_MS), missing: [] };
  },
};
