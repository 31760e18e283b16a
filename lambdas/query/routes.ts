import type { ClickHouseClient } from '@clickhouse/client';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { type FunnelCatalog, funnelFor } from '../../core/aggregation/funnel-definition.ts';
import { WINDOW_KINDS } from '../../core/aggregation/redis-keys.ts';
import { MINUTE } from '../../core/aggregation/time-buckets.ts';
import { verifyDashboardToken } from '../../core/auth/dashboard-token.ts';
import { SpateError } from '../../core/errors/spate-error.ts';
import { ALL_CHANNELS, parseChannelList } from '../../core/push/channels.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { FRESH_SNAPSHOT_MS } from '../../core/push/snapshot-freshness.ts';
import { funnelSnapshot, TOP_ITEMS, topSnapshot } from '../../core/push/snapshots.ts';
import { alertsSnapshot, tweetsSnapshot } from '../../core/push/tweet-snapshots.ts';
import { answerCache } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import type { Filter } from '../../core/query/filter.ts';
import { answerMetric, type TierReader } from '../../core/query/metric-answer.ts';
import type { Metric } from '../../core/query/metric-query.ts';
import type { OverviewNumbers } from '../../core/query/overview-numbers.ts';
import { cachedTierReader } from '../../core/query/tier-cache.ts';
import { routeByAge, type Tier } from '../../core/query/tier-routing.ts';
import { readDeadlineMs, withinDeadline } from '../../core/query/within-deadline.ts';
import { coldReader } from '../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { filteredReaders } from '../../io/clickhouse/filtered-readers.ts';
import { readFilteredTop } from '../../io/clickhouse/filtered-top.ts';
import { warmReader } from '../../io/clickhouse/warm-reader.ts';
import type { SecretSource } from '../../io/config/secret-setting.ts';
import { ChannelLedger } from '../../io/push/channel-ledger.ts';
import { LiveAggregates } from '../../io/push/live-aggregates.ts';
import { channelSnapshot } from '../../io/push/session-channel.ts';
import { TWEET_WINDOW_SECONDS } from '../../io/push/tweet-aggregates.ts';
import { redisAnswerStore } from '../../io/redis/answer-store.ts';
import {
  lastSeconds,
  readAlertMinutes,
  readFunnelMinutes,
  readTweetMinutes,
  readWindowTally,
} from '../../io/redis/hot-read-model.ts';
import { hotReader, redisQueryCache } from '../../io/redis/hot-reader.ts';
import { queryCacheLookupRecorder, readQueryCacheHitRate } from '../../io/redis/query-cache-stats.ts';
import type { ErrorAnswerStyle } from '../error-answers.ts';
import { type FunctionTools, functionTools, httpHandler, type SpateHandler } from '../spate-handler.ts';
import { breakdownRoute } from './breakdown.ts';
import { filteredOverviewRoute } from './filtered-overview.ts';
import { funnelDefinitionsRoute, liveWindowSeconds } from './funnel-definitions.ts';
import { topJourneysRoute } from './journeys.ts';
import { readKafkaOps } from './ops.ts';
import { activeNow, coldOverview, combineOverviews, hotOverview, warmOverview } from './overview.ts';
import { oneOf, ParamError, QUERY_METRICS, seconds, TOP_DIMENSIONS, timeRange } from './params.ts';
import { requestFilters } from './request-filters.ts';
import { sessionsRoute } from './sessions.ts';
import { USER_EVENTS_PATH, userEventsRoute } from './user-events.ts';

export interface QueryDeps {
  readonly redis: Redis;
  readonly clickhouse: ClickHouseClient;
  readonly kafkaAdmin: () => Promise<Admin>;
  /**
   * The key that verifies dashboard tokens, as it is now: asked on every request, so a rotated
   * key takes effect without a new container (io/config/dashboard-token-key.ts caches it).
   */
  readonly tokenKey: SecretSource;
  readonly funnels: FunnelCatalog;
  readonly tierTimeoutMs: number;
  /** Where ClickHouse finds the S3 archive; without it the cold tier is reported unavailable. */
  readonly cold?: ColdTierConfig;
  readonly wsUrl?: string;
  readonly now?: () => number;
  /** How long a warm or cold span's answer is served from the query cache. @default QUERY_CACHE_TTL_MS */
  readonly queryCacheTtlMs?: number;
}

/**
 * Long enough that a wall of dashboards polling one range costs one tier read, short enough
 * that a late event in the warm tier shows within a poll or two.
 */
export const QUERY_CACHE_TTL_MS = 10_000;

type Result = APIGatewayProxyStructuredResultV2;

/** The query function's Powertools: one Logger, one Metrics, one Tracer. */
export const queryTools: FunctionTools = functionTools('spate-query');

/**
 * How the query API writes its error answers: `{ message }`, with the field and the rule when the
 * error names them, never cached. A fault of ours says only that the query failed.
 */
export const QUERY_ERROR_STYLE: ErrorAnswerStyle = {
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: ({ message, field, rule }) => JSON.stringify({ message, field, rule }),
  internalMessage: 'query failed',
};

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

const DIMENSION_KIND = {
  products: WINDOW_KINDS.productViews,
  pages: WINDOW_KINDS.pages,
  referrers: WINDOW_KINDS.referrers,
  carts: WINDOW_KINDS.addToCarts,
  purchases: WINDOW_KINDS.purchases,
} as const;

const TIER_STORE: Record<Tier, string> = { hot: 'redis', warm: 'clickhouse', cold: 's3' };

/** The project of the dashboard token in `Authorization: Bearer` or `?token=`. */
function projectOf(event: APIGatewayProxyEventV2, secret: string, nowMs: number): string {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  return verifyDashboardToken(bearer ?? event.queryStringParameters?.token, secret, nowMs).project;
}

/** The query API as a function: its routes inside the project's one handler wrapper. */
export function createQueryRoutes(deps: QueryDeps): SpateHandler<APIGatewayProxyEventV2, Result> {
  return httpHandler(queryTools, answerQuery(deps), QUERY_ERROR_STYLE);
}

/**
 * The query API. Every answer says which tiers answered it and which were down (`degraded`),
 * and a tier that fails or is slow is reported, not waited on: the dashboard shows the rest. A
 * bad token or parameter is thrown, and answered by the error middleware.
 */
export function answerQuery(deps: QueryDeps): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const now = deps.now ?? Date.now;
  const t = deps.tierTimeoutMs;
  const hot = hotReader(deps.redis);
  const warm = warmReader(deps.clickhouse);
  const coldConfig = deps.cold;
  const cold: TierReader = coldConfig
    ? coldReader(deps.clickhouse, coldConfig)
    : async () => Promise.reject(new Error('no cold tier configured'));
  const ledger = new ChannelLedger(deps.redis);
  const filtered = filteredReaders(deps.clickhouse, coldConfig);
  // Warm and cold spans of a series are answered from the query cache for a few seconds; the
  // hot span never is (core/query/tier-cache.ts).
  const ttlMs = deps.queryCacheTtlMs ?? QUERY_CACHE_TTL_MS;
  const cache = redisQueryCache(deps.redis, ttlMs);
  const lookups = queryCacheLookupRecorder(deps.redis, now);
  // Whole warm and cold answers of the other routes, with the same TTL and hit rate.
  const answers = answerCache(redisAnswerStore(deps.redis, ttlMs), lookups);
  const breakdown = breakdownRoute({ ...deps, answers });
  const cached = (tier: 'warm' | 'cold', reader: TierReader) =>
    cachedTierReader(tier, reader, cache, lookups);
  const series = {
    warm: cached('warm', warm),
    cold: cached('cold', cold),
    filteredWarm: cached('warm', filtered.warm),
    filteredCold: cached('cold', filtered.cold),
  };
  const filteredOverview = filteredOverviewRoute({ ...deps, answers });
  const sessions = sessionsRoute({ ...deps, answers });
  const journeys = topJourneysRoute(deps);
  const funnelDefinitions = funnelDefinitionsRoute({ ...deps, answers });
  const userEvents = userEventsRoute(deps);

  async function overview(project: string, q: Record<string, string | undefined>, nowMs: number) {
    const range = timeRange(q, nowMs, 5 * MINUTE * 1000);
    const spans = routeByAge(
      { project, metric: 'events', fromMs: range.fromMs, toMs: range.toMs, stepSeconds: 60 },
      nowMs,
    );
    const degraded: string[] = [];
    const tiers: string[] = [];
    // The warm and cold spans' numbers come through the query cache, as a series' spans do.
    const parts: OverviewNumbers[] = [];
    // Asked alongside the range's reads rather than after them: one round trip less.
    const active = withinDeadline(activeNow(deps.redis, project, nowMs), t, 'redis').catch(() => null);
    for (const span of spans) {
      const r = { fromMs: span.fromMs, toMs: span.toMs };
      if (span.tier === 'hot') {
        try {
          parts.push(await withinDeadline(hotOverview(deps.redis, project, r), t, 'redis'));
          tiers.push('hot');
          continue;
        } catch {
          degraded.push('hot');
        }
      }
      if (span.tier === 'cold') {
        try {
          if (!coldConfig) throw new Error('no cold tier configured');
          const read = () =>
            withinDeadline(
              coldOverview(deps.clickhouse, coldConfig, project, r),
              readDeadlineMs(['cold'], t),
              's3',
            );
          parts.push(await answers(answerKey('overview', ['cold'], { project, ...r }), read));
          tiers.push('cold');
        } catch {
          degraded.push('cold');
        }
        continue;
      }
      try {
        const read = () => withinDeadline(warmOverview(deps.clickhouse, project, r), t, 'clickhouse');
        // A hot span read here, the hot tier having failed, is not the warm tier's to keep.
        const key = span.tier === 'warm' ? answerKey('overview', ['warm'], { project, ...r }) : undefined;
        parts.push(await answers(key, read));
        tiers.push('warm');
      } catch {
        degraded.push('warm');
      }
    }
    const numbers = combineOverviews(parts);
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      ...numbers,
      active_now: await active,
      tiers: [...new Set(tiers)],
      degraded: [...new Set(degraded)].map((tier) => ({ tier, store: TIER_STORE[tier as Tier] })),
    };
  }

  async function timeseries(
    project: string,
    q: Record<string, string | undefined>,
    nowMs: number,
    filters: readonly Filter[],
  ) {
    const metric = oneOf(q, 'metric', QUERY_METRICS);
    const range = timeRange(q, nowMs, 3_600_000);
    const step = seconds(q, 'step', 60, 1, 86_400);
    const type = metric === 'orders' ? 'purchase' : q.type;
    const currency = metric === 'revenue' ? (q.currency ?? 'EUR') : undefined;
    const degraded: string[] = [];
    const guard =
      (tier: Tier, reader: TierReader): TierReader =>
      async (mq) => {
        try {
          return await withinDeadline(reader(mq), readDeadlineMs([tier], t), tier);
        } catch {
          degraded.push(tier);
          return new Map();
        }
      };
    let answer: Awaited<ReturnType<typeof answerMetric>>;
    try {
      answer = await answerMetric(
        {
          project,
          metric: (metric === 'orders' ? 'events' : metric) as Metric,
          ...(type ? { type } : {}),
          ...(currency ? { currency } : {}),
          fromMs: range.fromMs,
          toMs: range.toMs,
          stepSeconds: step,
          ...(filters.length > 0 ? { filters } : {}),
        },
        // The hot tier keeps no dimension: a filtered series reads its last day from the warm
        // tier's event rows too (a few seconds behind the stream), and says `warm` for it.
        filters.length > 0
          ? {
              hot: guard('warm', filtered.warm),
              warm: guard('warm', series.filteredWarm),
              cold: guard('cold', series.filteredCold),
            }
          : { hot: guard('hot', hot), warm: guard('warm', series.warm), cold: guard('cold', series.cold) },
        nowMs,
      );
    } catch (err) {
      throw new ParamError((err as Error).message);
    }
    return {
      metric,
      step_s: step,
      points: answer.points,
      tiers:
        filters.length > 0
          ? [...new Set(answer.tiers.map((tier) => (tier === 'hot' ? 'warm' : tier)))]
          : answer.tiers,
      degraded: [...new Set(degraded)].map((tier) => ({ tier, store: TIER_STORE[tier as Tier] })),
    };
  }

  /**
   * A top list of the last `window` from the hot tier's windows; with filters, from the warm
   * tier's event rows, since the windows keep no dimension (the warm tier trails the stream by
   * seconds, and the answer says `warm`).
   */
  async function top(
    project: string,
    q: Record<string, string | undefined>,
    filters: readonly Filter[],
    nowMs: number,
  ) {
    const dimension = oneOf(q, 'dimension', TOP_DIMENSIONS);
    const window = seconds(q, 'window', 300, 10, 3600);
    if (filters.length > 0) {
      const { fromSec, toSec } = lastSeconds(nowMs, window);
      const described = { filters: filters.map((f) => ({ dimension: f.dimension.name, value: f.value })) };
      try {
        const tally = await withinDeadline(
          readFilteredTop(
            deps.clickhouse,
            project,
            dimension,
            { fromMs: fromSec * 1000, toMs: toSec * 1000 },
            filters,
            TOP_ITEMS,
          ),
          t,
          'warm',
        );
        return { ...topSnapshot(dimension, window, tally), ...described, tiers: ['warm'], degraded: [] };
      } catch {
        return {
          ...topSnapshot(dimension, window, new Map()),
          ...described,
          tiers: [],
          degraded: [{ tier: 'warm', store: 'clickhouse' }],
        };
      }
    }
    const tally = await withinDeadline(
      readWindowTally(deps.redis, project, DIMENSION_KIND[dimension], lastSeconds(nowMs, window)),
      t,
      'redis',
    );
    return { ...topSnapshot(dimension, window, tally), tiers: ['hot'] };
  }

  async function funnel(project: string, id: string, q: Record<string, string | undefined>, nowMs: number) {
    if (id !== 'default') return undefined;
    const window = liveWindowSeconds(q);
    const minutes = await withinDeadline(
      readFunnelMinutes(deps.redis, project, lastSeconds(nowMs, window)),
      t,
      'redis',
    );
    return { id, ...funnelSnapshot(funnelFor(deps.funnels, project), window, minutes), tiers: ['hot'] };
  }

  /** The project's tweets of the last `window` (the hot tier keeps a day): sentiment, hashtags, alerts. */
  async function tweetSummary(project: string, q: Record<string, string | undefined>, nowMs: number) {
    const window = seconds(q, 'window', TWEET_WINDOW_SECONDS, 60, 86_400);
    const range = lastSeconds(nowMs, window);
    const [minutes, alerts] = await withinDeadline(
      Promise.all([
        readTweetMinutes(deps.redis, project, range),
        readAlertMinutes(deps.redis, project, range),
      ]),
      t,
      'redis',
    );
    return {
      ...tweetsSnapshot({ ...minutes, windowSeconds: window }),
      alerts: alertsSnapshot(window, alerts),
      tiers: ['hot'],
      degraded: [],
    };
  }

  /**
   * Every panel's numbers in one answer, for a dashboard's first paint. A channel the
   * broadcaster has checked within FRESH_SNAPSHOT_MS is served as it stored it (one small read);
   * the others are computed from the aggregates.
   */
  async function snapshot(project: string, q: Record<string, string | undefined>, nowMs: number) {
    const channels = q.channels ? parseChannelList(q.channels.split(','), 'channels') : [...ALL_CHANNELS];
    const out: Record<string, JsonObject> = {};
    try {
      await withinDeadline(
        (async () => {
          for (const last of await ledger.lastSnapshots(project, channels))
            if (nowMs - last.at <= FRESH_SNAPSHOT_MS) out[last.channel] = JSON.parse(last.body) as JsonObject;
          const live = new LiveAggregates(deps.redis, project, funnelFor(deps.funnels, project), nowMs);
          await Promise.all(
            channels
              .filter((c) => out[c] === undefined)
              .map(async (c) => {
                const data = await channelSnapshot(deps.redis, project, live, c);
                if (data) out[c] = data;
              }),
          );
        })(),
        t,
        'redis',
      );
      return { at: nowMs, ws_url: deps.wsUrl, channels: out, degraded: [] };
    } catch {
      return { at: nowMs, ws_url: deps.wsUrl, channels: {}, degraded: [{ tier: 'hot', store: 'redis' }] };
    }
  }

  async function ops(project: string, nowMs: number) {
    const check = async <T>(what: string, p: () => Promise<T>) => {
      const started = Date.now();
      try {
        return { ok: true as const, ms: Date.now() - started, value: await withinDeadline(p(), t, what) };
      } catch (err) {
        return { ok: false as const, ms: Date.now() - started, error: (err as Error).message };
      }
    };
    const [redis, clickhouse, kafka, queryCache] = await Promise.all([
      check('redis', () =>
        new LiveAggregates(deps.redis, project, deps.funnels.fallback, nowMs).snapshot('ops'),
      ),
      check(
        'clickhouse',
        async () => (await deps.clickhouse.ping()).success || Promise.reject(new Error('ping failed')),
      ),
      check('kafka', async () => readKafkaOps(await deps.kafkaAdmin())),
      check('redis', () => readQueryCacheHitRate(deps.redis, nowMs)),
    ]);
    const degraded = [
      ...(redis.ok ? [] : [{ component: 'redis', tier: 'hot', error: redis.error }]),
      ...(clickhouse.ok ? [] : [{ component: 'clickhouse', tier: 'warm', error: clickhouse.error }]),
      ...(kafka.ok ? [] : [{ component: 'kafka', tier: 'stream', error: kafka.error }]),
    ];
    return {
      at: nowMs,
      ingest_per_s: redis.ok ? (redis.value?.ingest_per_s ?? 0) : null,
      consumers: kafka.ok ? kafka.value.lag : [],
      dlq: kafka.ok ? kafka.value.dlq : null,
      mapping_failures: kafka.ok ? kafka.value.mapping_failures : null,
      query_cache: queryCache.ok ? queryCache.value : null,
      degraded,
    };
  }

  return async function route(event: APIGatewayProxyEventV2): Promise<Result> {
    const nowMs = now();
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/\/+$/, '');
    const definesFunnels = funnelDefinitions.handles(event);
    if (method !== 'GET' && !definesFunnels) return json(405, { message: 'only GET is answered here' });
    // A missing, forged or expired token is a DashboardTokenError: 401.
    const project = projectOf(event, await deps.tokenKey(), nowMs);
    const q = event.queryStringParameters ?? {};
    if (definesFunnels) return funnelDefinitions.route(project, event, nowMs);
    if (path === '/v1/metrics/overview') {
      const filters = requestFilters(event);
      if (filters.length > 0) return json(200, await filteredOverview(project, q, filters, nowMs));
      return json(200, await overview(project, q, nowMs));
    }
    if (path === '/v1/metrics/timeseries')
      return json(200, await timeseries(project, q, nowMs, requestFilters(event)));
    if (path === '/v1/metrics/breakdown') return breakdown(project, event, nowMs);
    if (path === '/v1/metrics/sessions') return json(200, await sessions(project, event, nowMs));
    if (path === '/v1/snapshot') return json(200, await snapshot(project, q, nowMs));
    if (path === '/v1/ops') return json(200, await ops(project, nowMs));
    const person = USER_EVENTS_PATH.exec(path);
    if (person) return json(200, await userEvents(project, person[1]!, q, nowMs));
    try {
      if (path === '/v1/tweets/summary') return json(200, await tweetSummary(project, q, nowMs));
      if (path === '/v1/journeys/top') return json(200, await journeys(project, q, nowMs));
      if (path === '/v1/metrics/top') return json(200, await top(project, q, requestFilters(event), nowMs));
      const funnelMatch = /^\/v1\/funnels\/([A-Za-z0-9_-]{1,64})$/.exec(path);
      if (funnelMatch) {
        const answer = await funnel(project, funnelMatch[1]!, q, nowMs);
        return answer
          ? json(200, answer)
          : json(404, { message: `funnel: "${funnelMatch[1]}" is not defined (known: default)` });
      }
    } catch (err) {
      // A bad parameter is the caller's; anything else here is the hot tier failing.
      if (err instanceof SpateError) throw err;
      return json(503, {
        message: 'the hot tier (redis) is not answering',
        degraded: [{ tier: 'hot', store: 'redis' }],
      });
    }
    return json(404, { message: `no route for GET ${path}` });
  };
}

export const QUERY_ROUTE_KEYS = [
  'GET /v1/metrics/{name}',
  'GET /v1/funnels/{id}',
  'GET /v1/funnels',
  'POST /v1/funnels',
  'PUT /v1/funnels/{id}',
  'DELETE /v1/funnels/{id}',
  'GET /v1/tweets/summary',
  'GET /v1/journeys/top',
  'GET /v1/ops',
  'GET /v1/snapshot',
  'GET /v1/users/{id}/events',
] as const;
