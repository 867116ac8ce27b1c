import type { SocketState } from '@binio/engine-posix/socket';
import { closedWhileWaiting } from '../errors.js';
import type { Host, Owned } from '../host.js';
import type { Source } from '../reactor/source.js';

/**
 * Closes a socket handle of this engine: its parked operations fail with
 * `EBADF` and give their buffers back, the descriptor leaves the epoll set,
 * then it is closed. Closing twice is a no-op.
 */
export function closeSocket(
  host: Host,
  handle: Owned,
  state: SocketState,
  source: Source,
): Promise<void> {
  if (!state.closed) {
    source.closeAll(closedWhileWaiting(state.what));
    host.forget(handle);
  }
  return (state.close() as Promise<void> | undefined) ?? Promise.resolve();
}
