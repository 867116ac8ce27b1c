export * from './c-probe.js';
export * from './fds.js';
