import cluster from 'node:cluster';
import { startGateway } from '../gateway/index.ts';
import type { HealthReport } from '../gateway/types.ts';
import { announceReady, onShutdown } from '../process-lifecycle.ts';
import { loadHttpRoutes, loadWebSocketOptions } from './functions.ts';
import { GATEWAY_USAGE, type GatewayFlags, readGatewayFlags } from './gateway-flags.ts';
import { localSiteHeaders } from './site-headers.ts';

/**
 * A gateway process of `spate local`: the HTTP API (hosting ingest and query, as Lambda hosts
 * them) or the WebSocket API. The HTTP API may run as several processes on one port, as
 * Lambda runs many containers at once; the functions' environment comes from the supervisor.
 */
let flags: GatewayFlags;
try {
  flags = readGatewayFlags(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${GATEWAY_USAGE}`);
  process.exit(2);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function supervisorHealth(url: string): Promise<HealthReport> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return (await response.json()) as HealthReport;
}

async function serve(): Promise<void> {
  const { healthUrl } = flags;
  const gateway =
    flags.apis === 'http'
      ? await startGateway({
          apis: 'http',
          httpPort: flags.port,
          httpRoutes: await loadHttpRoutes(),
          staticDir: flags.staticDir,
          staticHeaders: flags.staticDir ? localSiteHeaders(flags.staticDir, process.env.SPATE_WS_URL) : {},
          health: healthUrl ? () => supervisorHealth(healthUrl) : undefined,
          // No gateway CORS, as on AWS: the ingest function answers preflights and tags its
          // responses with the origins of each project (SPATE_CORS_ORIGINS); the dashboard and
          // the query API it calls share one origin.
          log,
        })
      : await startGateway({
          apis: 'websocket',
          wsPort: flags.port,
          webSocket: await loadWebSocketOptions(),
          log,
        });
  onShutdown(() => gateway.close());
  if (cluster.isPrimary) announceReady({ port: flags.port, apis: flags.apis });
}

/** Forks the HTTP workers and keeps their number up until told to stop. */
function superviseWorkers(count: number): void {
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log(
      `http worker ${worker.process.pid} ${signal ? `killed by ${signal}` : `exited with ${code}`}; starting another`,
    );
    setTimeout(fork, 500);
  });
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === count) announceReady({ port: flags.port, apis: flags.apis, workers: count });
  });
  for (let i = 0; i < count; i += 1) fork();
  onShutdown(async () => {
    stopping = true;
    await Promise.all(
      Object.values(cluster.workers ?? {}).map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (!worker || worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.kill('SIGTERM');
          }),
      ),
    );
  });
}

if (cluster.isPrimary && flags.workers > 1) superviseWorkers(flags.workers);
else await serve();
