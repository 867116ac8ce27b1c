export * from './c-probe.js';
export * from './fds.js';
export * from './loop-device.js';
export * from './netns.js';
export * from './qemu.js';
export * from './require.js';
