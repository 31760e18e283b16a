import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { bucketStart, MINUTE } from '../../../core/aggregation/time-buckets.ts';
import { createTweetsFunction, type TweetsFunction } from '../../../lambdas/tweets/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

const AT = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

/** An enriched tweet as the NLP worker writes it to tweets.enriched. */
function enrichedTweet(i: number, score: number, hashtags: string[], risk = 0): string {
  return JSON.stringify({
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

  it('keeps sentiment per topic and hashtag and raises toxicity alerts, once per tweet', async () => {
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
    expect(await redis.client.hgetall(redisKeys.tweetMinute(minute))).toEqual({
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
    const alerts = await redis.client.zrange(redisKeys.tweetAlerts(minute), '0', '-1', 'WITHSCORES');
    expect([alerts[0], Number(alerts[1])]).toEqual(['t2', 0.9]);
    expect(alerts).toHaveLength(2);
  });
});
