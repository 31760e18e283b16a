import { parseArgs } from 'node:util';

/** What a gateway process is told by the supervisor, on its command line. */
export interface GatewayFlags {
  readonly apis: 'http' | 'websocket';
  readonly port: number;
  /** HTTP API processes sharing the port; the WebSocket API is always one process. */
  readonly workers: number;
  readonly staticDir: string | undefined;
  /** The supervisor's health report, served at GET /health. */
  readonly healthUrl: string | undefined;
}

export const GATEWAY_USAGE =
  'usage: local/stack/gateway-main.ts --apis http|websocket --port N [--workers N] [--static-dir DIR] [--health-url URL]\n';

export function readGatewayFlags(argv: readonly string[]): GatewayFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      apis: { type: 'string' },
      port: { type: 'string' },
      workers: { type: 'string', default: '1' },
      'static-dir': { type: 'string' },
      'health-url': { type: 'string' },
    },
    strict: true,
  });
  const apis = values.apis;
  if (apis !== 'http' && apis !== 'websocket') {
    throw new Error(`--apis: must be "http" or "websocket", got "${apis ?? ''}"`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`--port: must be a port number from 1 to 65535, got "${values.port ?? ''}"`);
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`--workers: must be an integer from 1 to 64, got "${values.workers}"`);
  }
  if (apis === 'websocket' && workers !== 1) {
    throw new Error(
      '--workers: the WebSocket API holds its connections in one process; it takes no --workers',
    );
  }
  return { apis, port, workers, staticDir: values['static-dir'], healthUrl: values['health-url'] };
}
