import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { connectLiveRedis } from '../../../io/push/redis-link.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS, type QueryDeps } from '../../../lambdas/query/routes.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import type { RunningGateway } from '../../../local/gateway/types.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import {
  type ColdArchiveStack,
  type ColdArchiveStackOptions,
  startColdArchiveStack,
} from '../aggregation/cold-archive-stack.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';
import { SECRET, tokenFor } from '../push/push-stack.ts';

/**
 * The query API as a dashboard reaches it, over the tiers it reads: chDB and s3rver (the cold
 * archive stack), redis-server, the warehouse function that fills the warm tier, and the query
 * routes behind the local gateway, authorised with the push stack's dashboard token.
 */
export interface QueryApiStack {
  readonly archive: ColdArchiveStack;
  readonly redis: TestRedis;
  readonly warehouse: WarehouseFunction;
  readonly gateway: RunningGateway;
  /**
   * Delivers events as events.raw does, at the next offsets of partition 0: to the warehouse,
   * and to the archive too unless `warmOnly`. Sent again, they are a client's copies.
   */
  deliver(events: readonly EnrichedEvent[], options?: { warmOnly?: boolean }): Promise<void>;
  /** A request to the gateway with the dashboard token. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startQueryApiStack(
  name: string,
  routes: Pick<QueryDeps, 'now'> & Partial<QueryDeps>,
  options: ColdArchiveStackOptions = {},
): Promise<QueryApiStack> {
  const archive = await startColdArchiveStack(name, options);
  const redis = await startTestRedis();
  const warehouse = createWarehouseFunction({
    clickhouse: { url: archive.endpoint.url, username: 'default', password: '', database: 'default' },
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
  });
  const live = connectLiveRedis(redis.url, 2000);
  const route = createQueryRoutes({
    redis: live,
    clickhouse: archive.client,
    cold: archive.cold,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => SECRET,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 15_000,
    ...routes,
  });
  const gateway = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    log: () => undefined,
  });
  let offset = 0;
  return {
    archive,
    redis,
    warehouse,
    gateway,
    async deliver(events, options = {}) {
      const msk = mskEventOf(events, { partition: 0, firstOffset: offset });
      offset += events.length;
      await warehouse.handler(msk, createLambdaContext('warehouse'));
      if (!options.warmOnly) await archive.archive.handler(msk, createLambdaContext('archive'));
    },
    fetch(path, init = {}) {
      return fetch(`${gateway.httpUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${tokenFor()}`, ...(init.headers as Record<string, string>) },
      });
    },
    async close() {
      await gateway.close();
      live.disconnect();
      await warehouse.close();
      await archive.close();
      await redis.stop();
    },
  };
}
