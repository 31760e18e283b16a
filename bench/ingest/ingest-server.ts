/**
 * The ingest function behind the local gateway, as one process (the shape `spate local` runs it
 * in), for the benchmarks. Config from the environment, like the Lambda.
 */
import { readIngestConfig } from '../../io/config/ingest-config.ts';
import { createIngestFunction } from '../../lambdas/ingest/handler.ts';
import { INGEST_ROUTE_KEYS } from '../../lambdas/ingest/routes.ts';
import { startGateway } from '../../local/gateway/index.ts';
import { announceReady, onShutdown } from '../../local/process-lifecycle.ts';

const fn = createIngestFunction(readIngestConfig(process.env));
const gateway = await startGateway({
  httpPort: 0,
  wsPort: 0,
  httpRoutes: INGEST_ROUTE_KEYS.map((routeKey) => ({
    routeKey,
    functionName: 'ingest',
    handler: fn.handler,
  })),
  log: () => undefined,
});
onShutdown(async () => {
  await gateway.close();
  await fn.close();
});
announceReady({ port: Number(new URL(gateway.httpUrl).port), url: gateway.httpUrl });
