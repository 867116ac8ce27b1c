import { runConformance } from '../src/conformance/index.js';
import { createMemoryEngine } from '../src/testing/index.js';

// The memory engine is the executable specification: it must pass every
// contract in both modes.
runConformance({ name: 'memory sync', engine: () => createMemoryEngine({ mode: 'sync' }) });
runConformance({ name: 'memory async', engine: () => createMemoryEngine({ mode: 'async' }) });
