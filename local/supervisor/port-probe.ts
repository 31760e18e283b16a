import { connect } from 'node:net';

/** True when something accepts TCP connections on host:port. */
export function acceptsConnections(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export async function waitForPort(
  port: number,
  timeoutMs: number,
  isAlive: () => boolean,
  host = '127.0.0.1',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('exited before it was ready');
    if (await acceptsConnections(port, host)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}
