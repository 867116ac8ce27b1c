/**
 * How a UDP sender tells its receiver that the run is over, whatever the
 * receiver's API (a sync receiver blocked in `recvmmsg` cannot be told any
 * other way): after the data it pauses, so the receiver drains its queue,
 * then sends a few datagrams of {@link MARKER_LENGTH} bytes. Several, because
 * one may be dropped while the queue is still full. `native/udp-mmsg.c` uses
 * the same numbers.
 */
export const MARKER_LENGTH = 1;
/** Pause after the data, before the first marker. */
export const MARKER_PAUSE_MS = 20;
/** Markers sent. */
export const MARKER_COUNT = 10;
/** Gap between markers. */
export const MARKER_GAP_MS = 5;
/** Receive buffer size asked for by every UDP receiver (the kernel caps it at `rmem_max`, equally). */
export const UDP_RECEIVE_BUFFER = 4 << 20;
/** Room per received datagram: more than any payload used here. */
export const UDP_SLOT = 2048;
