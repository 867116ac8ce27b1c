/**
 * What to install when DPDK is missing. `scripts/build-native.mjs` prints the
 * same words at build and install time (a test keeps the two equal).
 */
export const INSTALL_HINT =
  'Install DPDK and pkg-config: `apt-get install -y dpdk-dev libdpdk-dev pkg-config` ' +
  '(Debian 12 / Ubuntu 22.04+; Fedora: `dnf install dpdk-devel pkgconf`), then rebuild: ' +
  '`pnpm --filter @binio/engine-dpdk build` in the binio workspace, or `npm rebuild @binio/engine-dpdk`.';
