import { createServer, type Server } from 'node:net';

/**
 * Ports nothing listens on right now, for servers a test starts itself. All are held open
 * together before any is released, so one call never hands out the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
