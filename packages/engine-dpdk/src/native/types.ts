/** The control block layout and mbuf geometry the addon reports. */
export interface Layout {
  readonly burstMax: number;
  /** Most datagrams one `txPacked` call takes (it bursts them to the device itself). */
  readonly packedMax: number;
  readonly templates: number;
  readonly templateBytes: number;
  readonly udpHeaderBytes: number;
  readonly perPacketTemplate: number;
  readonly txIdx: number;
  readonly txLen: number;
  readonly txOff: number;
  readonly txTsel: number;
  readonly rxIdx: number;
  readonly rxOff: number;
  readonly rxLen: number;
  readonly freeIdx: number;
  readonly templatesOffset: number;
  readonly counters: number;
  /** Per received frame: which checksums rx found good (flags below). */
  readonly rxSum: number;
  readonly rxIpSumGood: number;
  readonly rxUdpSumGood: number;
  readonly size: number;
  /** `RTE_PKTMBUF_HEADROOM`. */
  readonly headroom: number;
  /** `sizeof(struct rte_mbuf)`. */
  readonly mbufHeader: number;
}

/** Facts about the running EAL. */
export interface NativeEalInfo {
  mainLcore: number;
  lcores: number;
  socket: number;
  iovaMode: 'va' | 'pa';
  hugepages: boolean;
  ports: number;
  /** EAL's runtime directory (`/var/run/dpdk/<file prefix>`). */
  runtimeDir: string;
}

/** A port as the addon describes it. */
export interface NativePortInfo {
  id: number;
  name: string;
  driver: string;
  mac: Uint8Array;
  maxRxQueues: number;
  maxTxQueues: number;
  rxDescMax: number;
  txDescMax: number;
  maxMtu: number;
  txUdpChecksumOffload: boolean;
  txOffloadCapa: string;
  rxOffloadCapa: string;
}

/** `rte_eth_stats` of a port. */
export interface DeviceStats {
  ipackets: number;
  opackets: number;
  ibytes: number;
  obytes: number;
  imissed: number;
  ierrors: number;
  oerrors: number;
  rxNoMbuf: number;
}

/** A pool as created by the addon: the mbuf of index i is at objectOffset + i * stride. */
export interface NativePool {
  id: number;
  memory: ArrayBuffer;
  objectOffset: number;
  stride: number;
  dataOffset: number;
  dataRoom: number;
  count: number;
}

/**
 * The addon's functions (native/*.cc). Functions that fail throw an Error
 * with a positive `errno`; `alloc` returns -ENOBUFS instead, being routine.
 */
export interface DpdkAddon {
  readonly layout: Layout;
  readonly dpdkVersion: string;
  ealInit(args: readonly string[], keepAffinity: boolean): number;
  ealCleanup(): void;
  ealState(): 'never' | 'running' | 'failed' | 'cleaned-up';
  ealInfo(): NativeEalInfo;
  ports(): Array<{ id: number; name: string }>;
  ringPair(a: string, b: string, size: number): [number, number];
  portInfo(port: number): NativePortInfo;
  portStart(
    port: number,
    pool: number,
    rxDesc: number,
    txDesc: number,
    offloadUdp: boolean,
  ): { rxDescriptors: number; txDescriptors: number };
  portStop(port: number): void;
  portClose(port: number): void;
  promiscuous(port: number, on: boolean): number;
  stats(port: number): DeviceStats;
  poolCreate(name: string, count: number, cache: number, stride: 2048 | 4096): NativePool;
  poolCounts(pool: number): [available: number, inUse: number];
  poolFree(pool: number): void;
  queueBind(port: number, pool: number, ctl: ArrayBuffer, offloadUdp: boolean): number;
  queueUnbind(queue: number): void;
  alloc(queue: number, n: number): number;
  free(queue: number, n: number): void;
  rx(queue: number, max: number): number;
  txUdp(queue: number, n: number, slot: number): number;
  txRaw(queue: number, n: number): number;
  txPacked(queue: number, n: number, slot: number, data: Uint8Array, size: number): number;
  discard(queue: number, max: number): number;
}
