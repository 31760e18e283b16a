import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { framesOfMessage } from '../../../core/push/frame-bundles.ts';
import { ChannelState } from '../../../core/push/frame-sequence.ts';
import { createBroadcastFunction } from '../../../lambdas/broadcast/handler.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS } from '../../../lambdas/query/routes.ts';
import { createTweetsFunction, type TweetsFunction } from '../../../lambdas/tweets/handler.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import type { RunningGateway } from '../../../local/gateway/types.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { freePort } from '../../support/free-ports.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { openClient } from '../gateway/ws-client.ts';
import { PROJECT, type PushStack, SECRET, startPushStack, tokenFor } from './push-stack.ts';

// Two minutes ago: inside the live tweets window and the five-minute hashtag window.
const AT = Date.now() - 120_000;

const OTHER = 'otherproject';

/** An enriched tweet of `project` as the NLP worker writes it to tweets.enriched. */
function enrichedTweet(
  project: string,
  id: string,
  score: number,
  topic: string,
  hashtags: string[],
  risk = 0,
): string {
  return JSON.stringify({
    project,
    id,
    text: 'text',
    createdAt: new Date(AT).toISOString(),
    cleanText: 'text',
    lang: 'en',
    duplicateOf: null,
    retweet: false,
    entities: { hashtags, mentions: [], cashtags: [], domains: [], known: [] },
    emoji: [],
    sentiment: {
      score,
      label: score > 0.05 ? 'positive' : score < -0.05 ? 'negative' : 'neutral',
      model: 'm',
    },
    topics: { [topic]: 0.9 },
    risk: { score: risk, flags: risk > 0 ? ['profanity'] : [] },
    enrichedAt: new Date(AT).toISOString(),
  });
}

let stack: PushStack;
let tweets: TweetsFunction;
let api: RunningGateway;
let closeApi: () => void;

beforeAll(async () => {
  stack = await startPushStack();
  tweets = createTweetsFunction({
    redis: { url: stack.redis.url },
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    funnels: parseFunnelCatalog(undefined),
  });
  const clickhouse = createClient({ url: `http://127.0.0.1:${await freePort()}`, request_timeout: 1000 });
  const route = createQueryRoutes({
    redis: stack.context.redis,
    clickhouse,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => SECRET,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 2000,
  });
  api = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    log: () => undefined,
  });
  closeApi = () => void clickhouse.close();
  // The tweets function applies a batch from tweets.enriched, as its mapping would: two
  // projects' tweets, one public tweet (t1) tracked by both.
  const batch = mskEventOf(
    [
      enrichedTweet(PROJECT, 't1', 0.6, 'shipping', ['Launch']),
      enrichedTweet(OTHER, 't1', 0.6, 'shipping', ['Launch']),
      enrichedTweet(PROJECT, 't2', -0.4, 'shipping', ['launch', 'delay'], 0.92),
      enrichedTweet(OTHER, 't4', -0.8, 'support', ['rival'], 0.95),
      enrichedTweet(PROJECT, 't3', 0.2, 'pricing', []),
    ],
    { topic: 'tweets.enriched', partition: 0, firstOffset: 0 },
  );
  const [report] = await tweets.handler(batch, createLambdaContext('tweets'));
  expect(report).toMatchObject({ applied: 5, copies: 0 });
});

afterAll(async () => {
  await api?.close();
  closeApi?.();
  await tweets?.close();
  await stack?.stop();
});

describe('tweets and alerts channels', () => {
  it("push what the tweets function aggregated of the dashboard's project, and only that", async () => {
    const client = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['tweets', 'alerts'] }));
    expect(JSON.parse(await client.next())).toMatchObject({ type: 'subscribed' });
    const outcomes = await stack.broadcaster.broadcast(PROJECT, ['tweets', 'alerts']);
    expect(outcomes.map((o) => o.outcome)).toEqual(['pushed', 'pushed']);
    const states = new Map<string, ChannelState>();
    // Both frames arrive in one message.
    for (const frame of framesOfMessage(await client.next())) {
      const state = new ChannelState();
      expect(state.accept(frame).kind).toBe('applied');
      states.set(frame.channel, state);
    }
    expect([...states.keys()].sort()).toEqual(['alerts', 'tweets']);
    expect(states.get('tweets')?.data).toMatchObject({
      count: 3,
      alert_count: 1,
      labels: { positive: 2, negative: 1 },
      topics: { shipping: { n: 2, sentiment: 0.1 }, pricing: { n: 1, sentiment: 0.2 } },
      hashtags: [
        { tag: 'launch', n: 2, sentiment: 0.1 },
        { tag: 'delay', n: 1, sentiment: -0.4 },
      ],
    });
    const minute = String(Math.floor(AT / 60_000) * 60);
    expect(((states.get('tweets')?.data?.points ?? {}) as Record<string, unknown>)[minute]).toEqual({
      shipping: 0.1,
      pricing: 0.2,
    });
    expect(states.get('alerts')?.data).toMatchObject({ count: 1, items: [{ id: 't2', risk: 0.92 }] });
    client.socket.close();
  });

  it("answer /v1/tweets/summary with the token's project's tweets over the requested window, and 400 for a bad one", async () => {
    const get = async (path: string, project = PROJECT) => {
      const response = await fetch(`${api.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${tokenFor(project)}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const summary = await get('/v1/tweets/summary?window=10m');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      count: 3,
      hashtags: [
        { tag: 'launch', n: 2 },
        { tag: 'delay', n: 1 },
      ],
      alerts: { window_s: 600, count: 1, items: [{ id: 't2' }] },
      tiers: ['hot'],
      degraded: [],
    });
    const other = await get('/v1/tweets/summary?window=10m', OTHER);
    expect(other.body).toMatchObject({
      count: 2,
      labels: { positive: 1, negative: 1 },
      topics: { shipping: { n: 1, sentiment: 0.6 }, support: { n: 1, sentiment: -0.8 } },
      alerts: { count: 1, items: [{ id: 't4', risk: 0.95 }] },
    });
    expect(Object.keys(other.body.topics as object).sort()).toEqual(['shipping', 'support']);
    expect((other.body.hashtags as { tag: string }[]).map((h) => h.tag).sort()).toEqual(['launch', 'rival']);
    // The dashboard's first paint of its tweets panel: its own project's numbers too.
    const firstPaint = await get('/v1/snapshot?channels=tweets,alerts', OTHER);
    expect(firstPaint.body.channels).toMatchObject({
      tweets: { count: 2 },
      alerts: { count: 1, items: [{ id: 't4' }] },
    });
    // A window that ends before the tweets leaves them out.
    expect((await get('/v1/tweets/summary?window=60')).body).toMatchObject({ count: 0, hashtags: [] });
    const bad = await get('/v1/tweets/summary?window=2d');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^window: must be from 60 s to 86400 s/);
  });

  it("are pushed to the dashboards of the batch's projects only when the broadcaster is fed a tweets batch", async () => {
    const other = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor(OTHER))}`);
    other.socket.send(JSON.stringify({ action: 'subscribe', channels: ['tweets'] }));
    expect(JSON.parse(await other.next())).toMatchObject({ type: 'subscribed', frames: [] });
    // A dashboard of the first project, watching tweets too: the batch holds none of its tweets.
    const mine = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
    mine.socket.send(JSON.stringify({ action: 'subscribe', channels: ['tweets'] }));
    expect(JSON.parse(await mine.next())).toMatchObject({ type: 'subscribed' });
    const fn = createBroadcastFunction({
      SPATE_REDIS_URL: stack.redis.url,
      SPATE_DASHBOARD_TOKEN_SECRET: SECRET,
      SPATE_WS_MANAGEMENT_URL: stack.gateway.managementEndpoint,
    });
    try {
      const batch = mskEventOf([enrichedTweet(OTHER, 't9', 0.5, 'pricing', ['late'])], {
        topic: 'tweets.enriched',
        partition: 0,
        firstOffset: 5,
      });
      await tweets.handler(batch, createLambdaContext('tweets'));
      const outcomes = await fn.handler(batch);
      // One project's two tweet channels: the first project's watched tweets channel is left alone.
      expect(outcomes.map((o) => o.channel)).toEqual(['tweets', 'alerts']);
      expect(outcomes[0]).toMatchObject({ outcome: 'pushed', fanOut: { sent: 1 } });
      const [frame] = framesOfMessage(await other.next());
      expect(frame).toMatchObject({ channel: 'tweets', type: 'snapshot', data: { count: 3 } });
    } finally {
      await fn.close();
      other.socket.close();
      mine.socket.close();
    }
  });
});
