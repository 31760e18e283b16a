import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';
import { sqlString } from '../../../core/query/archive-scan.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { listArchiveKeys } from '../../../io/s3/archive-reader.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import type { ArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createTweetsArchiveFunction } from '../../../lambdas/tweetarchive/handler.ts';
import { createTweetsWarehouseFunction } from '../../../lambdas/tweetwarehouse/handler.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.ts';
import { deliverWithFaults } from './fault-delivery.ts';
import { tallyByTopicAndLabel, tweetTraffic } from './tweet-stream.ts';

const SEED = 20_261_121;
const TOPIC = 'tweets.enriched';
const context = createLambdaContext('tweet-tiers');

describe('enriched tweets in the warm and cold tiers', () => {
  let dirs: string[];
  let s3: LocalS3;
  let s3Client: S3Client;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let chProxy: ChaosProxy;
  let s3Proxy: ChaosProxy;
  let tweetsWarehouse: WarehouseFunction;
  let eventsWarehouse: WarehouseFunction;
  let tweetsArchive: ArchiveFunction;
  let partitions: EnrichedTweet[][];
  let records: string[][];

  const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'spate-tweets-s3-')), mkdtempSync(join(tmpdir(), 'spate-tweets-ch-'))];
    s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
    s3Client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
    client = createClient({ url: endpoint.url });
    chProxy = await startChaosProxy(endpoint.port, seededRandom(SEED + 1));
    s3Proxy = await startChaosProxy(s3.port, seededRandom(SEED + 2));
    const guard = {
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    };
    const clickhouse = { username: 'default', password: '', database: 'default' };
    tweetsWarehouse = createTweetsWarehouseFunction({
      clickhouse: { ...clickhouse, url: `http://127.0.0.1:${chProxy.port}` },
      ...guard,
    });
    eventsWarehouse = createWarehouseFunction({ clickhouse: { ...clickhouse, url: endpoint.url }, ...guard });
    tweetsArchive = createTweetsArchiveFunction({
      s3: { region: 'us-east-1', endpoint: `http://127.0.0.1:${s3Proxy.port}` },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'tweets',
      ...guard,
    });
    partitions = tweetTraffic(seededRandom(SEED), 3, 400, Date.now());
    // One record on partition 0 that is not an enriched tweet: passed over, never blocking.
    records = partitions.map((p) => p.map((t) => JSON.stringify(t)));
    records[0]!.splice(300, 0, 'not json');
  }, 60_000);

  afterAll(async () => {
    await tweetsWarehouse?.close();
    await eventsWarehouse?.close();
    await tweetsArchive?.close();
    await chProxy?.close();
    await s3Proxy?.close();
    await client?.close();
    await endpoint?.close();
    s3Client?.destroy();
    await s3?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  it('stores every tweet once in tweets_enriched under faults and re-split redeliveries; rollups exact', async () => {
    const failures = await deliverWithFaults(
      (e) => tweetsWarehouse.handler(e, context),
      records,
      chProxy,
      seededRandom(SEED + 3),
      TOPIC,
    );
    expect(failures).toBeGreaterThan(2);
    // A late redelivery of an already stored range, cut at offsets no delivery used.
    const again = await tweetsWarehouse.handler(
      mskEventOf(records[1]!.slice(101, 353), { topic: TOPIC, partition: 1, firstOffset: 101 }),
      context,
    );
    expect(again).toEqual({ inserted: 0 });

    const all = partitions.flat();
    const [stored] = await rows<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(id) AS ids FROM tweets_enriched',
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: all.length, ids: all.length });

    const truth = tallyByTopicAndLabel(all);
    for (const table of ['tweets_minute', 'tweets_hour']) {
      const rollup = await rows<{ topic: string; label: string; n: string; s: string; toxic: string }>(
        `SELECT topic, sentiment_label AS label, countMerge(tweets) AS n, sumMerge(score_sum) AS s,
                countMerge(toxic) AS toxic
         FROM ${table} GROUP BY topic, label`,
      );
      expect(
        new Map(
          rollup.map((r) => [
            `${r.topic}/${r.label}`,
            { tweets: Number(r.n), scoreSum: Number(r.s), toxic: Number(r.toxic) },
          ]),
        ),
      ).toEqual(truth);
    }
    const [authors] = await rows<{ u: string }>(
      `SELECT uniqMerge(authors) AS u FROM tweets_hour WHERE topic = ''`,
    );
    const users = new Set(all.map((t) => t.user)).size;
    expect(Math.abs(Number(authors!.u) - users) / users).toBeLessThan(0.02);

    const sample = all.find(
      (t) => t.duplicateOf !== null && t.risk.score > 0 && t.entities.hashtags.length > 0,
    )!;
    const [row] = await rows<Record<string, unknown>>(
      `SELECT lang, user_id, sentiment_score, sentiment_label, topics, hashtags, risk_score, risk_flags,
              duplicate_of, text, kafka_topic FROM tweets_enriched WHERE id = ${sqlString(sample.id)}`,
    );
    expect(row).toEqual({
      lang: sample.lang.lang,
      user_id: sample.user,
      sentiment_score: sample.sentiment.score,
      sentiment_label: sample.sentiment.label,
      topics: Object.keys(sample.topics),
      hashtags: sample.entities.hashtags,
      risk_score: sample.risk.score,
      risk_flags: sample.risk.flags,
      duplicate_of: sample.duplicateOf,
      text: sample.text,
      kafka_topic: TOPIC,
    });

    const highWater = await rows<{ p: number; hw: string }>(
      `SELECT kafka_partition AS p, max(high_water) AS hw FROM events_high_water
       WHERE kafka_topic = ${sqlString(TOPIC)} GROUP BY p ORDER BY p`,
    );
    expect(highWater.map((r) => [Number(r.p), Number(r.hw)])).toEqual(
      records.map((r, p) => [p, r.length - 1]),
    );
  }, 300_000);

  it('keeps the high-water of each topic apart: events at offsets tweets already used are stored', async () => {
    const events = Array.from({ length: 40 }, () => enrichedEvent({ timestamp: new Date().toISOString() }));
    expect(await eventsWarehouse.handler(mskEventOf(events, { partition: 0 }), context)).toEqual({
      inserted: 40,
    });
    const [stored] = await rows<{ n: string }>('SELECT count() AS n FROM events');
    expect(Number(stored!.n)).toBe(40);
  }, 120_000);

  it('archives every tweet under tweets/dt=/hour=, overlapping re-split objects read back once through s3()', async () => {
    const failures = await deliverWithFaults(
      (e) => tweetsArchive.handler(e, context),
      records,
      s3Proxy,
      seededRandom(SEED + 4),
      TOPIC,
    );
    expect(failures).toBeGreaterThan(2);
    // A late redelivery cut at offsets no delivery used: its objects overlap the stored ones.
    await tweetsArchive.handler(
      mskEventOf(records[1]!.slice(101, 353), { topic: TOPIC, partition: 1, firstOffset: 101 }),
      context,
    );

    const keys = await listArchiveKeys(s3Client, LOCAL_BUCKETS.archive, 'tweets/');
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys)
      expect(key).toMatch(
        /^tweets\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/tweets\.enriched-[0-2]-\d{20}-\d{20}\.ndjson\.gz$/,
      );

    const url = `${s3.endpoint}/${LOCAL_BUCKETS.archive}/tweets/dt=*/hour=*/*.ndjson.gz`;
    const structure =
      'id String, createdAt String, sentiment Tuple(score Float64, label String, model String), ' +
      'topics String, kafka_topic String, kafka_partition UInt32, kafka_offset UInt64';
    const archived = `(SELECT * FROM s3(${sqlString(url)}, 'S3RVER', 'S3RVER', 'JSONEachRow', ${sqlString(structure)}, 'gzip')
                       LIMIT 1 BY kafka_topic, kafka_partition, kafka_offset)`;
    const all = partitions.flat();
    const [stored] = await rows<{ n: string; ids: string }>(
      `SELECT count() AS n, uniqExact(id) AS ids FROM ${archived}`,
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: all.length, ids: all.length });

    const byTopic = await rows<{ topic: string; label: string; n: string; s: string }>(
      `SELECT topic, sentiment.label AS label, count() AS n,
              sum(toInt64(round(sentiment.score * 10000))) AS s
       FROM ${archived} ARRAY JOIN arrayPushFront(JSONExtractKeys(topics), '') AS topic
       GROUP BY topic, label`,
    );
    const truth = new Map(
      [...tallyByTopicAndLabel(all)].map(([k, t]) => [k, { tweets: t.tweets, scoreSum: t.scoreSum }]),
    );
    expect(
      new Map(byTopic.map((r) => [`${r.topic}/${r.label}`, { tweets: Number(r.n), scoreSum: Number(r.s) }])),
    ).toEqual(truth);

    const [hourCheck] = await rows<{ misplaced: string }>(
      `SELECT countIf(formatDateTime(parseDateTime64BestEffort(createdAt, 3, 'UTC'), '%Y-%m-%d/%H') !=
                      concat(extract(_path, 'dt=([0-9-]+)/'), '/', extract(_path, 'hour=([0-9]+)/'))) AS misplaced
       FROM s3(${sqlString(url)}, 'S3RVER', 'S3RVER', 'JSONEachRow', ${sqlString(structure)}, 'gzip')`,
    );
    expect(Number(hourCheck!.misplaced)).toBe(0);
  }, 300_000);
});
