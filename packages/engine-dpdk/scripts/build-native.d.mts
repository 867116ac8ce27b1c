/** What to install when DPDK is missing (the same words as `src/native/install-hint.ts`). */
export declare const INSTALL_HINT: string;
/** Builds the addon when DPDK is installed; returns true when built. */
export declare function buildNative(options: { required: boolean }): boolean;
