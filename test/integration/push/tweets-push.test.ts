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

/** An enriched tweet as the NLP worker writes it to tweets.enriched. */
function enrichedTweet(id: string, score: number, topic: string, hashtags: string[], risk = 0): string {
  return JSON.stringify({
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
  // The tweets function applies a batch from tweets.enriched, as its mapping would.
  const batch = mskEventOf(
    [
      enrichedTweet('t1', 0.6, 'shipping', ['Launch']),
      enrichedTweet('t2', -0.4, 'shipping', ['launch', 'delay'], 0.92),
      enrichedTweet('t3', 0.2, 'pricing', []),
    ],
    { topic: 'tweets.enriched', partition: 0, firstOffset: 0 },
  );
  const [report] = await tweets.handler(batch, createLambdaContext('tweets'));
  expect(report).toMatchObject({ applied: 3 });
});

afterAll(async () => {
  await api?.close();
  closeApi?.();
  await tweets?.close();
  await stack?.stop();
});

describe('tweets and alerts channels', () => {
  it('push what the tweets function aggregated to a subscribed dashboard', async () => {
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

  it('answer /v1/tweets/summary over the requested window, and 400 for a bad one', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${api.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${tokenFor()}` },
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
    // A window that ends before the tweets leaves them out.
    expect((await get('/v1/tweets/summary?window=60')).body).toMatchObject({ count: 0, hashtags: [] });
    const bad = await get('/v1/tweets/summary?window=2d');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^window: must be from 60 s to 86400 s/);
  });

  it('are pushed to every project with dashboards when the broadcaster is fed a tweets batch', async () => {
    const other = await openClient(
      `${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor('otherproject'))}`,
    );
    other.socket.send(JSON.stringify({ action: 'subscribe', channels: ['tweets'] }));
    expect(JSON.parse(await other.next())).toMatchObject({ type: 'subscribed' });
    const fn = createBroadcastFunction({
      SPATE_REDIS_URL: stack.redis.url,
      SPATE_DASHBOARD_TOKEN_SECRET: SECRET,
      SPATE_WS_MANAGEMENT_URL: stack.gateway.managementEndpoint,
    });
    try {
      const batch = mskEventOf([enrichedTweet('t9', 0.5, 'pricing', ['late'])], {
        topic: 'tweets.enriched',
        partition: 0,
        firstOffset: 3,
      });
      await tweets.handler(batch, createLambdaContext('tweets'));
      const outcomes = await fn.handler(batch);
      expect(outcomes).toContainEqual(expect.objectContaining({ channel: 'tweets', outcome: 'pushed' }));
      const [frame] = framesOfMessage(await other.next());
      expect(frame).toMatchObject({ channel: 'tweets', type: 'snapshot', data: { count: 4 } });
    } finally {
      await fn.close();
      other.socket.close();
    }
  });
});
