import { type AddressLike, type AsyncTcpListener, OutputBuffer, type TcpListen, type TcpStream } from '@binio/core';

/** A running echo server. */
export interface EchoServer {
  /** Where it listens. */
  readonly address: string;
  /** Stops accepting and closes every connection; resolves when all have ended. */
  close(): Promise<void>;
}

/**
 * A TCP echo server on any async engine that can listen: connections arrive
 * through the listener's async iteration (the proposal's multi-shot accept),
 * each echoes what it reads until the peer half-closes, then half-closes too.
 */
export async function startEchoServer(engine: TcpListen<'async'>, at: AddressLike = '127.0.0.1:0'): Promise<EchoServer> {
  const listener = (await engine.listenTcp(at)) as AsyncTcpListener;
  const live = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      const done = echo(conn).finally(() => live.delete(done));
      live.add(done);
    }
  })().catch(() => {});
  return {
    address: listener.localAddress.toString(),
    async close() {
      await listener.close();
      await accepting;
      await Promise.allSettled(live);
    },
  };
}

async function echo(conn: TcpStream<'async'>): Promise<void> {
  const buf = OutputBuffer.alloc(64 * 1024);
  try {
    for (;;) {
      buf.reset();
      const n = await conn.readInto(buf);
      if (n === 0) break;
      await conn.writeAll(buf);
    }
    await conn.shutdown('write');
  } finally {
    await conn.close();
  }
}
