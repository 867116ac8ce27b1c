import { runConformance } from '@binio/core/conformance';
import { createUringEngine } from '../src/index.js';

runConformance({ name: 'uring sync', engine: () => createUringEngine({ mode: 'sync' }) });
runConformance({ name: 'uring async', engine: () => createUringEngine({ mode: 'async' }) });
runConformance({
  name: 'uring async (registered files, coop taskrun)',
  engine: () => createUringEngine({ mode: 'async', registeredFiles: 16, taskRun: 'coop' }),
  suites: ['file'],
});
