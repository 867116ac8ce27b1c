/** Why the stack dropped a received frame. Each reason has its own counter. */
export const DROP_REASONS = [
  /** Shorter than the headers it claims. */
  'truncated',
  /** Addressed (Ethernet) to another host. */
  'notForUs',
  /** Neither IPv4 nor ARP. */
  'unknownEthertype',
  /** ARP that is not IPv4 over Ethernet, or an unknown operation. */
  'badArp',
  /** An ARP request for another host's address. */
  'arpNotForUs',
  /** IP version other than 4. */
  'badIpVersion',
  /** IPv4 header length field below 5 words or beyond the packet. */
  'badIhl',
  /** IPv4 total length inconsistent with the frame. */
  'badIpLength',
  /** IPv4 header checksum wrong. */
  'badIpChecksum',
  /** IPv4 addressed to another host. */
  'ipNotForUs',
  /** An IPv4 fragment (the stack does not reassemble). */
  'fragment',
  /** An IP protocol other than UDP and ICMP. */
  'unknownProtocol',
  /** UDP length field inconsistent with the IP packet. */
  'badUdpLength',
  /** UDP checksum wrong. */
  'badUdpChecksum',
  /** No socket bound to the destination port. */
  'noSocket',
  /** The socket's receive queue was full. */
  'queueFull',
  /** ICMP that is malformed (length or checksum). */
  'badIcmp',
  /** ICMP other than echo request. */
  'icmpIgnored',
  /** A payload larger than an mbuf buffer (a peer with a larger MTU). */
  'tooBig',
  /** A chained (multi-segment) mbuf, never expected at MTU 1500. */
  'multiSegment',
  /** A frame from another pool that could not be copied (our pool was empty). */
  'poolExhausted',
] as const;

/** A drop reason. */
export type DropReason = (typeof DROP_REASONS)[number];

/** Counters of dropped frames by reason. */
export type DropCounters = Record<DropReason, number>;

/** Fresh zeroed drop counters. */
export function dropCounters(): DropCounters {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as DropCounters;
}

/** What the stack did, apart from drops. */
export interface StackCounters {
  /** Frames received from the device. */
  rxFrames: number;
  /** Datagrams queued to a socket (from the device or local). */
  rxDatagrams: number;
  /** ARP requests for us answered. */
  arpReplied: number;
  /** ARP replies (and requests) that taught us an address. */
  arpLearned: number;
  /** ICMP echo requests answered. */
  icmpEchoReplied: number;
  /** Datagrams handed to the device. */
  txDatagrams: number;
  /** Datagrams delivered to a socket of this engine without the device. */
  txLocal: number;
  /** ARP requests sent. */
  arpRequests: number;
  /** Datagrams held while their next hop's address was resolved. */
  arpHeld: number;
  /** Resolutions that got no answer (the held datagrams were dropped). */
  arpFailed: number;
  /** Replies (ARP, ICMP) the device had no room for. */
  txReplyDropped: number;
}

/** Fresh zeroed stack counters. */
export function stackCounters(): StackCounters {
  return {
    rxFrames: 0,
    rxDatagrams: 0,
    arpReplied: 0,
    arpLearned: 0,
    icmpEchoReplied: 0,
    txDatagrams: 0,
    txLocal: 0,
    arpRequests: 0,
    arpHeld: 0,
    arpFailed: 0,
    txReplyDropped: 0,
  };
}
