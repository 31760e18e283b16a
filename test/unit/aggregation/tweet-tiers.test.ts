import { describe, expect, it } from 'vitest';
import { decodeBatches } from '../../../core/aggregation/msk-batch.ts';
import { planTweetArchive } from '../../../core/aggregation/tweet-archive.ts';
import { decodeEnrichedTweet, positionedTweet } from '../../../core/aggregation/tweet-decoding.ts';
import { tweetWarehouseBatch } from '../../../core/aggregation/tweet-row.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { mskEventOf } from './factories.ts';

const tweet = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    project: 'shop',
    id: '42',
    text: 'Still waiting for my @acme package #Shipping',
    user: 'jo',
    createdAt: '2026-11-21T06:59:59.500Z',
    cleanText: 'Still waiting for my package shipping',
    lang: { lang: 'en', reliable: true, target: true },
    duplicateOf: null,
    retweet: false,
    entities: { hashtags: ['Shipping'], mentions: ['acme'], cashtags: [], domains: [], known: [] },
    emoji: [],
    sentiment: { score: -0.5106, label: 'negative', model: 'lexicon' },
    topics: { shipping: 0.933 },
    risk: { score: 0.75, flags: ['insult'] },
    enrichedAt: '2026-11-21T07:00:00.120Z',
    ...overrides,
  });

describe('enriched tweets for the warm and cold tiers', () => {
  it('decodes what the tiers rely on and names the field that is wrong', () => {
    expect(decodeEnrichedTweet('nope')).toEqual({ ok: false, reason: 'value: not JSON' });
    expect(decodeEnrichedTweet('[]')).toEqual({ ok: false, reason: 'value: must be a JSON object' });
    expect(decodeEnrichedTweet(tweet({ id: '' }))).toMatchObject({
      reason: 'id: must be a non-empty string',
    });
    expect(decodeEnrichedTweet(tweet({ sentiment: { score: 'bad' } }))).toMatchObject({
      reason: 'sentiment: must carry a numeric score and a label',
    });
    expect(decodeEnrichedTweet(tweet({ createdAt: 'x', enrichedAt: 'y' }))).toMatchObject({
      reason: 'createdAt/enrichedAt: must be an ISO 8601 date-time',
    });
    expect(decodeEnrichedTweet(tweet({ createdAt: undefined }))).toMatchObject({
      ok: true,
      timeMs: Date.parse('2026-11-21T07:00:00.120Z'),
    });
    expect(decodeEnrichedTweet(tweet({ project: 7 }))).toMatchObject({
      reason: 'project: must be a non-empty string when present',
    });
  });

  it("reads a tweet that names no project, as records did before tweets carried one, as the default project's", () => {
    expect(decodeEnrichedTweet(tweet())).toMatchObject({ ok: true, tweet: { project: 'shop' } });
    for (const project of [undefined, null])
      expect(decodeEnrichedTweet(tweet({ project }))).toMatchObject({
        ok: true,
        tweet: { project: DEFAULT_TWEET_PROJECT, id: '42' },
      });
  });

  it('maps a tweet to its tweets_enriched row, older producer shapes included', () => {
    const [batch] = decodeBatches(
      mskEventOf([tweet(), 'not json', tweet({ id: '43', lang: 'de', topics: undefined, risk: undefined })], {
        topic: 'tweets.enriched',
        partition: 4,
        firstOffset: 70,
      }),
      positionedTweet,
    );
    expect(batch!.undecodable).toEqual([{ offset: 71, reason: 'value: not JSON' }]);
    const warm = tweetWarehouseBatch(batch!);
    expect(warm).toMatchObject({ table: 'tweets_enriched', topic: 'tweets.enriched', partition: 4 });
    expect(warm.rows.map((r) => r.offset)).toEqual([70, 72]);
    expect(warm.identityColumns).toEqual({ scope: 'project', id: 'id' });
    expect(warm.rows[0]!.identity).toEqual({ scope: 'shop', id: '42' });
    expect(warm.rows[0]!.row).toEqual({
      id: '42',
      project: 'shop',
      ts: '2026-11-21 06:59:59.500',
      enriched_at: '2026-11-21 07:00:00.120',
      lang: 'en',
      user_id: 'jo',
      sentiment_score: -0.5106,
      sentiment_label: 'negative',
      sentiment_model: 'lexicon',
      topics: ['shipping'],
      topic_scores: [0.933],
      hashtags: ['shipping'],
      mentions: ['acme'],
      risk_score: 0.75,
      risk_flags: ['insult'],
      duplicate_of: '',
      retweet: false,
      text: 'Still waiting for my @acme package #Shipping',
      kafka_topic: 'tweets.enriched',
      kafka_partition: 4,
      kafka_offset: 70,
    });
    expect(warm.rows[1]!.row).toMatchObject({ lang: 'de', topics: [], risk_score: 0, risk_flags: [] });
  });

  it('archives tweets per hour of posting under tweets/, no project in the key, named by offset range', () => {
    const [batch] = decodeBatches(
      mskEventOf(
        [
          tweet(),
          tweet({ id: '43', createdAt: '2026-11-21T07:10:00Z' }),
          tweet({ id: '44', project: undefined }),
        ],
        {
          topic: 'tweets.enriched',
          partition: 1,
          firstOffset: 9,
        },
      ),
      positionedTweet,
    );
    const objects = planTweetArchive(batch!);
    expect(objects.map((o) => o.key)).toEqual([
      'tweets/dt=2026-11-21/hour=06/tweets.enriched-1-00000000000000000009-00000000000000000011.ndjson.gz',
      'tweets/dt=2026-11-21/hour=07/tweets.enriched-1-00000000000000000010-00000000000000000010.ndjson.gz',
    ]);
    // Each archived record names its project, the default one where the tweet named none.
    expect(objects[0]!.rows.map((r) => [r.id, r.project, r.kafka_offset, r.kafka_partition])).toEqual([
      ['42', 'shop', 9, 1],
      ['44', DEFAULT_TWEET_PROJECT, 11, 1],
    ]);
    expect(objects[0]!.rows[0]).toMatchObject({
      sentiment: { label: 'negative' },
      kafka_topic: 'tweets.enriched',
    });
  });
});
