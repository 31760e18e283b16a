import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MappingStatus } from './mapping-status.ts';

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * GET /status lists every mapping's counters; GET /health answers 503 while a mapping's
 * consumer has crashed, so the supervisor and the gateway's /health can tell.
 */
export async function startStatusServer(port: number, status: () => MappingStatus[]): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { message: `${req.method} is not allowed; use GET` });
    const mappings = status();
    if (req.url === '/status') return send(200, { mappings });
    if (req.url === '/health') {
      const crashed = mappings.filter((m) => m.state === 'crashed').map((m) => m.functionName);
      return send(crashed.length ? 503 : 200, { healthy: crashed.length === 0, crashed });
    }
    send(404, { message: `no route ${req.url}; try /health or /status` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
