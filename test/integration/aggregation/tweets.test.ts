import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { bucketStart, MINUTE } from '../../../core/aggregation/time-buckets.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { createTweetsFunction, type TweetsFunction } from '../../../lambdas/tweets/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

const AT = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

/**
 * An enriched tweet as the NLP worker writes it to tweets.enriched; without `project`, as a
 * record written before tweets carried one.
 */
function enrichedTweet(i: number, score: number, hashtags: string[], risk = 0, project?: string): string {
  return JSON.stringify({
    ...(project !== undefined ? { project } : {}),
    id: `t${i}`,
    text: 'text',
    createdAt: new Date(AT + i).toISOString(),
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
    topics: { shipping: 0.9 },
    risk: { score: risk, flags: risk > 0 ? ['profanity'] : [] },
    enrichedAt: new Date(AT + i).toISOString(),
  });
}

describe('tweets function against redis-server', () => {
  let redis: TestRedis;
  let tweets: TweetsFunction;
  beforeAll(async () => {
    redis = await startTestRedis();
    tweets = createTweetsFunction({
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
      funnels: parseFunnelCatalog(undefined),
    });
  });
  afterAll(async () => {
    await tweets?.close();
    await redis?.stop();
  });

  it("keeps sentiment per topic and hashtag and raises toxicity alerts, once per tweet; a tweet of no project is the default project's", async () => {
    const values = [
      enrichedTweet(1, 0.5, ['Launch']),
      enrichedTweet(2, -0.25, ['launch', 'fail'], 0.9),
      enrichedTweet(3, 0, []),
      'not json',
    ];
    const msk = mskEventOf(values, { topic: 'tweets.enriched', partition: 2, firstOffset: 10 });
    const [report] = await tweets.handler(msk, createLambdaContext('tweets'));
    expect(report).toMatchObject({ applied: 3, undecodable: 1 });
    const again = await tweets.handler(msk, createLambdaContext('tweets'));
    expect(again[0]).toMatchObject({ applied: 0, skipped: 3 });

    const minute = bucketStart(AT, MINUTE);
    expect(await redis.client.hgetall(redisKeys.tweetMinute(DEFAULT_TWEET_PROJECT, minute))).toEqual({
      n: '3',
      'n:positive': '1',
      'n:negative': '1',
      'n:neutral': '1',
      't:shipping:n': '3',
      't:shipping:s': '2500',
      'h:launch:n': '2',
      'h:launch:s': '2500',
      'h:fail:n': '1',
      'h:fail:s': '-2500',
      a: '1',
    });
    const alerts = await redis.client.zrange(
      redisKeys.tweetAlerts(DEFAULT_TWEET_PROJECT, minute),
      '0',
      '-1',
      'WITHSCORES',
    );
    expect([alerts[0], Number(alerts[1])]).toEqual(['t2', 0.9]);
    expect(alerts).toHaveLength(2);
  });

  it("counts each project's tweets in its own aggregates, a copy once per project", async () => {
    const values = [
      enrichedTweet(20, 0.5, ['deal'], 0, 'shop'),
      enrichedTweet(21, -0.5, ['fail'], 0.8, 'news'),
      // The same public tweet tracked by both projects: each counts it once.
      enrichedTweet(22, 0.25, ['launch'], 0, 'shop'),
      enrichedTweet(22, 0.25, ['launch'], 0, 'news'),
      // A client's copy of shop's tweet 20, at a later offset of the same partition.
      enrichedTweet(20, 0.5, ['deal'], 0, 'shop'),
    ];
    const msk = mskEventOf(values, { topic: 'tweets.enriched', partition: 5, firstOffset: 0 });
    const [report] = await tweets.handler(msk, createLambdaContext('tweets'));
    expect(report).toMatchObject({ applied: 4, copies: 1 });

    const minute = bucketStart(AT, MINUTE);
    expect(await redis.client.hgetall(redisKeys.tweetMinute('shop', minute))).toEqual({
      n: '2',
      'n:positive': '2',
      't:shipping:n': '2',
      't:shipping:s': '7500',
      'h:deal:n': '1',
      'h:deal:s': '5000',
      'h:launch:n': '1',
      'h:launch:s': '2500',
    });
    expect(await redis.client.hgetall(redisKeys.tweetMinute('news', minute))).toEqual({
      n: '2',
      'n:negative': '1',
      'n:positive': '1',
      't:shipping:n': '2',
      't:shipping:s': '-2500',
      'h:fail:n': '1',
      'h:fail:s': '-5000',
      'h:launch:n': '1',
      'h:launch:s': '2500',
      a: '1',
    });
    expect(await redis.client.zrange(redisKeys.tweetAlerts('shop', minute), '0', '-1')).toEqual([]);
    expect(await redis.client.zrange(redisKeys.tweetAlerts('news', minute), '0', '-1')).toEqual(['t21']);
  });
});
