import { EPOLL } from '../sys/constants.js';

/** What a connected stream waits for: input, room, the peer's FIN. */
export const STREAM_INTEREST = EPOLL.IN | EPOLL.OUT | EPOLL.RDHUP;
/** What a datagram socket waits for. */
export const DATAGRAM_INTEREST = EPOLL.IN | EPOLL.OUT;
/** What a listener or a readable-only source (eventfd, timerfd, pidfd) waits for. */
export const READ_INTEREST = EPOLL.IN;
