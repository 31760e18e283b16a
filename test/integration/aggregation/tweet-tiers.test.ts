import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tweetRow } from '../../../core/aggregation/tweet-row.ts';
import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { sqlString } from '../../../core/query/archive-scan.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { migrate } from '../../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../../io/clickhouse/migrations/index.ts';
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

  it("stores a tweet once per project: another project's copy of the same public tweet is its own row", async () => {
    const tracked = partitions[2]!.slice(0, 30);
    const blog = tracked.map((t) => JSON.stringify({ ...t, project: 'blog' }));
    const first = records[2]!.length;
    const deliver = (values: string[], firstOffset: number) =>
      tweetsWarehouse.handler(mskEventOf(values, { topic: TOPIC, partition: 2, firstOffset }), context);
    expect(await deliver(blog, first)).toEqual({ inserted: 30 });
    // blog's copies again at later offsets (a client's retry), and shop's once more: nothing new.
    expect(await deliver([...blog.slice(0, 10), ...records[2]!.slice(0, 10)], first + 30)).toEqual({
      inserted: 0,
    });
    const perProject = await rows<{ project: string; n: string; ids: string }>(
      `SELECT project, count() AS n, uniqExact(id) AS ids FROM tweets_enriched GROUP BY project ORDER BY project`,
    );
    const all = partitions.flat().length;
    expect(perProject.map((r) => [r.project, Number(r.n), Number(r.ids)])).toEqual([
      ['blog', 30, 30],
      ['shop', all, all],
    ]);
  }, 120_000);

  it('reads tweets stored before tweets carried a project as the default project, and recognises their copies', async () => {
    const database = 'tweets_before_projects';
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    const old = createClient({ url: endpoint.url, database });
    const clickhouse = { url: endpoint.url, username: 'default', password: '', database };
    const guard = {
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    };
    const warehouse = createTweetsWarehouseFunction({ clickhouse, ...guard });
    try {
      // The warm tier as it was: migrations up to the identity index, one tweet stored and claimed.
      expect(await migrate(old, MIGRATIONS.slice(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
      const [tweet] = partitions[0]!;
      const { project: _, ...unprojected } = tweet!;
      const row = tweetRow(tweet!, Date.parse(tweet!.createdAt!), TOPIC, 0, 0);
      const { project: __, ...oldRow } = row;
      await old.insert({ table: 'tweets_enriched', values: [oldRow], format: 'JSONEachRow' });
      await old.insert({
        table: 'warehouse_ids',
        values: [{ source: 'tweets_enriched', scope: '', id: row.id, ts: row.ts }],
        format: 'JSONEachRow',
      });

      // Migration 7 and every later one.
      expect(await migrate(old, MIGRATIONS)).toEqual(MIGRATIONS.slice(6).map((m) => m.version));
      expect(MIGRATIONS[6]?.version).toBe(7);
      const stored = async () =>
        (
          await (
            await old.query({
              query: 'SELECT project, id FROM tweets_enriched ORDER BY project',
              format: 'JSONEachRow',
            })
          ).json<{ project: string; id: string }>()
        ).map((r) => [r.project, r.id]);
      expect(await stored()).toEqual([[DEFAULT_TWEET_PROJECT, tweet!.id]]);
      // A late copy that names no project is the stored one; a copy that names a project is that project's.
      const deliver = (value: object, offset: number) =>
        warehouse.handler(
          mskEventOf([JSON.stringify(value)], { topic: TOPIC, partition: 0, firstOffset: offset }),
          context,
        );
      expect(await deliver(unprojected, 1)).toEqual({ inserted: 0 });
      expect(await deliver(tweet!, 2)).toEqual({ inserted: 1 });
      expect(await stored()).toEqual([
        [DEFAULT_TWEET_PROJECT, tweet!.id],
        ['shop', tweet!.id],
      ]);
    } finally {
      await warehouse.close();
      await old.close();
    }
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
