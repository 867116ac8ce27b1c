#!/usr/bin/env bash
# Installs everything binio's tests and bench need on a fresh Debian 12
# machine (run as root): the Debian packages the real-peer tests drive, pnpm,
# and the workspace's dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
DEBIAN_PACKAGES=(
  build-essential pkg-config python3   # node-gyp for the addons, C probes in tests
  fio                                  # storage reference (bench, io_uring interop tests)
  iperf3                               # TCP reference (bench)
  e2fsprogs util-linux                 # mkfs.ext4 and losetup: O_DIRECT on a real block device
  iproute2 ethtool                     # network namespaces and veth pairs for real peers
  tshark                               # decodes frames the DPDK engine sends
  dpdk-dev libdpdk-dev                 # the DPDK engine
  qemu-system-x86 busybox-static       # a QEMU guest (@binio/testkit's runInGuest): IOPOLL on emulated NVMe
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The QEMU guest's kernel is fetched at test time with `apt-get download`
# (Debian's current linux-image-amd64): that needs package lists.
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: apt-get update (package lists for the QEMU guest's kernel)"
    apt-get update -qq
  else
    echo "setup: no apt package lists (run apt-get update as root): the QEMU guest tests will skip" >&2
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile
