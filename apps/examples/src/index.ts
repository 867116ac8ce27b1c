/**
 * binio examples, each runnable and tested.
 * @packageDocumentation
 */
export * from './traffic-generator.js';
export * from './file-copy.js';
