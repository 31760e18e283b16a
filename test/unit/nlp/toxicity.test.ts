import { describe, expect, it } from 'vitest';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { decodeTweet, planTweets, type TweetFacts } from '../../../core/aggregation/tweets.ts';
import { TweetEnricher } from '../../../core/nlp/enrich.ts';
import { toxicityOf } from '../../../core/nlp/toxicity.ts';
import { parseRawTweet } from '../../../core/nlp/tweet.ts';

const neutral = { score: 0, label: 'neutral' as const };

describe('toxicity on the enriched tweet', () => {
  it('rounds the probabilities and flags the kinds at or above the threshold', () => {
    expect(toxicityOf({ offensive: 0.912345, hate: 0.2 }, 0.5)).toEqual({
      offensive: 0.9123,
      hate: 0.2,
      flags: ['offensive'],
    });
    expect(toxicityOf({ offensive: 0.5, hate: 0.7 }, 0.75).flags).toEqual([]);
    expect(toxicityOf({ offensive: 1.2, hate: -0.1 }, 0.5)).toEqual({
      offensive: 1,
      hate: 0,
      flags: ['offensive'],
    });
  });

  it('takes the model toxicity when there is one and alerts on it at the configured threshold', () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], toxicityThreshold: 0.8 });
    const p = enricher.prepare(parseRawTweet({ id: 'x1', text: 'a perfectly calm tweet' }));
    const low = enricher.complete(
      p,
      { sentiment: neutral, toxicity: { offensive: 0.79, hate: 0.1 } },
      'onnx',
    );
    expect(low.tweet.toxicity).toEqual({ offensive: 0.79, hate: 0.1, flags: [] });
    expect(low.alert).toBeUndefined();
    const high = enricher.complete(
      p,
      { sentiment: neutral, toxicity: { offensive: 0.3, hate: 0.93 } },
      'onnx',
    );
    expect(high.tweet.toxicity.flags).toEqual(['hate']);
    expect(high.alert?.reasons).toEqual(['toxicity hate 0.93']);
    expect(high.alert?.risk).toEqual({ score: 0, flags: [] });
  });

  it('reads the threshold once from SPATE_NLP_TOXICITY_THRESHOLD, 0.5 by default', () => {
    expect(readNlpWorkerConfig({}).toxicityThreshold).toBe(0.5);
    expect(readNlpWorkerConfig({ SPATE_NLP_TOXICITY_THRESHOLD: '0.7' }).toxicityThreshold).toBe(0.7);
    expect(() => readNlpWorkerConfig({ SPATE_NLP_TOXICITY_THRESHOLD: '2' })).toThrow(
      'SPATE_NLP_TOXICITY_THRESHOLD: must be a number in (0, 1], got "2"',
    );
  });
});

describe('toxicity alerts in the hot tier', () => {
  // All in one minute, so one alert set holds them.
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const record = (id: string, risk: number, toxicity?: object) =>
    JSON.stringify({
      id,
      text: 't',
      createdAt: minute,
      sentiment: { score: 0, label: 'neutral', model: 'onnx' },
      risk: { score: risk, flags: [] },
      ...(toxicity !== undefined ? { toxicity } : {}),
    });

  it('alerts on a flagged toxicity kind as on a high risk score, scored by the stronger', () => {
    const facts = [
      record('flagged', 0, { offensive: 0.91, hate: 0.2, flags: ['offensive'] }),
      record('unflagged', 0.1, { offensive: 0.45, hate: 0.2, flags: [] }),
      record('risky', 0.8),
      record('both', 0.75, { offensive: 0.6, hate: 0.95, flags: ['offensive', 'hate'] }),
    ].map((text, offset) => decodeTweet(text, offset) as TweetFacts);
    const plan = new RedisPlan();
    planTweets(facts, plan, Date.now());
    const alerts = [...plan.sortedSetIncrements.entries()].filter(([key]) => key.includes(':tw:al:'));
    expect(alerts).toHaveLength(1);
    expect(Object.fromEntries(alerts[0]![1])).toEqual({ flagged: 0.91, risky: 0.8, both: 0.95 });
  });
});
