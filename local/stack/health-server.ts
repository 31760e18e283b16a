import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '../gateway/types.ts';

/**
 * The supervisor's view of every component, on a loopback port of its own: the gateway
 * processes serve it at GET /health, since only the supervisor knows who is up.
 */
export async function startHealthServer(
  report: () => HealthReport,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(report()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
