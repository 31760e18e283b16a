import { connect, createServer, type Socket } from 'node:net';

export interface ChaosProxy {
  readonly port: number;
  /** Chance, per chunk in either direction, that the connection is cut right there. */
  cutChance: number;
  cuts: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of redis-server that cuts connections at random points: a request may
 * never arrive, or arrive and run while its reply is lost, as when a Lambda is killed.
 */
export async function startChaosProxy(targetPort: number, random: () => number): Promise<ChaosProxy> {
  const sockets = new Set<Socket>();
  const proxy: ChaosProxy = {
    port: 0,
    cutChance: 0,
    cuts: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const cut = () => {
      proxy.cuts += 1;
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk) => {
        if (random() < proxy.cutChance) return cut();
        to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (proxy as { port: number }).port = (server.address() as { port: number }).port;
  return proxy;
}
