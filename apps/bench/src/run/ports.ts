import { createServer } from 'node:net';

/**
 * A loopback TCP port free right now (the kernel picks it; we close and hand
 * it to a tool that cannot report its own, such as iperf3).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
