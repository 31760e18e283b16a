import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { BREAKDOWN_KEEP_SECONDS } from '../../core/aggregation/breakdown-counters.ts';
import { counterFields } from '../../core/aggregation/redis-keys.ts';
import { TOPICS } from '../../core/topics.ts';
import { readBreakdownMinutes, readCounterHashes } from '../../io/redis/hot-read-model.ts';
import { listArchiveKeys, readArchiveObject } from '../../io/s3/archive-reader.ts';
import { createS3Client } from '../../io/s3/client.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';

interface RawRecord {
  readonly partition: number;
  readonly offset: number;
  readonly eventId: string;
  readonly type: string;
  readonly minute: number;
}

/**
 * Reads a topic from the beginning to the high-water marks taken when the read starts. A plain
 * topic is read to its last offset whatever the wait: stopping at an idle spell (a group join or
 * fetch stalled on a busy machine) would leave records out of the truth, and every tier would then
 * look double-counted. A transactional topic ends in commit markers, which are never delivered,
 * and aborted records are skipped, so there an idle spell after the last record ends the read.
 */
async function readTopic(
  brokers: string[],
  topic: string,
  onMessage: (partition: number, offset: number, value: string) => void,
  transactional = false,
  idleMs = 5000,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'fault-truth',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  await admin.connect();
  const highs = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const want = new Map(highs.map((h) => [h.partition, Number(h.high)]));
  const consumer = kafka.consumer({
    groupId: `fault-truth-${randomUUID()}`,
    maxWaitTimeInMs: 200,
    readUncommitted: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let last = Date.now();
    let started = false;
    const reached = new Map<number, number>();
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        last = Date.now();
        started = true;
        reached.set(partition, Number(message.offset) + 1);
        onMessage(partition, Number(message.offset), message.value?.toString('utf8') ?? '');
      },
    });
    const timeoutMs = 300_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const done = [...want].every(([p, high]) => (reached.get(p) ?? 0) >= (transactional ? high - 1 : high));
      if (done && Date.now() - last > 300) break;
      if (transactional && started && Date.now() - last > idleMs) break;
      if (transactional && !started && [...want.values()].every((h) => h === 0)) break;
      if (Date.now() > deadline) throw new Error(`${topic}: not read to its end in ${timeoutMs / 1000} s`);
    }
  } finally {
    await consumer.disconnect();
  }
}

export interface RawTruth {
  readonly records: readonly RawRecord[];
  /** The first record of each event id: what every tier must count, each once. */
  readonly events: readonly RawRecord[];
  /** Records on events.raw by event id beyond the first: copies a retrying client made. */
  readonly topicDuplicates: number;
  /** Events dated before this (ms) are history a scenario imported and checks itself: left out here. */
  readonly sinceMs: number;
}

export async function readRawTruth(endpoints: LocalEndpoints, sinceMs = 0): Promise<RawTruth> {
  const records: RawRecord[] = [];
  await readTopic([endpoints.kafka], TOPICS.eventsRaw.name, (partition, offset, value) => {
    const event = JSON.parse(value) as { event_id: string; type: string; timestamp: string; project: string };
    if (event.project !== endpoints.project) return;
    if (Date.parse(event.timestamp) < sinceMs) return;
    const minute = Math.floor(Date.parse(event.timestamp) / 60_000) * 60;
    records.push({ partition, offset, eventId: event.event_id, type: event.type, minute });
  });
  const first = new Map<string, RawRecord>();
  for (const r of records) if (!first.has(r.eventId)) first.set(r.eventId, r);
  return { records, events: [...first.values()], topicDuplicates: records.length - first.size, sinceMs };
}

/** What one tier holds, against the records on events.raw. */
export interface TierTally {
  readonly counted: number;
  readonly lost: number;
  readonly duplicated: number;
}

/**
 * Hot tier: per-minute, per-type counters, bucket by bucket against the raw events, and the live
 * breakdown by type of the minutes it keeps, both read as the query API and the channels read them.
 */
export async function hotTally(endpoints: LocalEndpoints, truth: RawTruth): Promise<TierTally> {
  const want = new Map<string, number>();
  for (const r of truth.events)
    want.set(`${r.minute} ${r.type}`, (want.get(`${r.minute} ${r.type}`) ?? 0) + 1);
  const redis = new Redis(endpoints.redis, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    const minutes = [...new Set(truth.events.map((r) => r.minute))];
    // Read as the query API and the live channels read them (io/redis/hot-read-model.ts).
    const hashes = await readCounterHashes(
      redis,
      endpoints.project,
      minutes.map((bucket) => ({ grain: 'm' as const, bucket })),
    );
    const got = new Map<string, number>();
    minutes.forEach((m, i) => {
      for (const [field, n] of Object.entries(hashes[i] ?? {})) {
        if (field.startsWith(counterFields.type(''))) got.set(`${m} ${field.slice(2)}`, Number(n));
      }
    });
    // The live breakdown by type (the realtime aggregator's bounded minute hashes, never full
    // with a handful of types) must hold the same counts, for the minutes it still keeps.
    const kept = minutes.filter((m) => (m + 60 + BREAKDOWN_KEEP_SECONDS) * 1000 > Date.now() + 30_000);
    const counters = compareCounts(want, got);
    if (kept.length === 0) return counters;
    const first = Math.min(...kept);
    const byType = await readBreakdownMinutes(redis, endpoints.project, ['type'], {
      fromSec: first,
      toSec: Math.max(...kept) + 60,
    });
    const wantLive = new Map([...want].filter(([key]) => kept.includes(Number(key.split(' ')[0]))));
    const gotLive = new Map<string, number>();
    for (const [i, reading] of (byType.get('type') ?? []).entries()) {
      const m = first + 60 * i;
      if (!kept.includes(m)) continue;
      for (const [type, counts] of reading.values) gotLive.set(`${m} ${type}`, counts.events);
      if (reading.other.events > 0) gotLive.set(`${m} (other)`, reading.other.events);
    }
    const live = compareCounts(wantLive, gotLive);
    return {
      counted: counters.counted,
      lost: Math.max(counters.lost, live.lost),
      duplicated: Math.max(counters.duplicated, live.duplicated),
    };
  } finally {
    redis.disconnect();
  }
}

function compareCounts(want: Map<string, number>, got: Map<string, number>): TierTally {
  let counted = 0;
  let lost = 0;
  let duplicated = 0;
  for (const key of new Set([...want.keys(), ...got.keys()])) {
    const w = want.get(key) ?? 0;
    const g = got.get(key) ?? 0;
    counted += g;
    if (g < w) lost += w - g;
    if (g > w) duplicated += g - w;
  }
  return { counted, lost, duplicated };
}

/** Warm tier: rows of the events table by event id, each once whatever reached the topic. */
export async function warmTally(endpoints: LocalEndpoints, truth: RawTruth): Promise<TierTally> {
  const client = createClient({ url: endpoints.clickhouse, request_timeout: 30_000 });
  try {
    const result = await client.query({
      query: `SELECT event_id AS id, count() AS n FROM events
              WHERE project = {project:String} AND ts >= fromUnixTimestamp64Milli({since:Int64})
              GROUP BY id`,
      query_params: { project: endpoints.project, since: truth.sinceMs },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ id: string; n: string | number }>();
    const got = new Map(rows.map((r) => [r.id, Number(r.n)]));
    return compareCounts(new Map(truth.events.map((r) => [r.eventId, 1])), got);
  } finally {
    await client.close();
  }
}

/**
 * Cold tier: archived rows by event id. A redelivery cut at other offsets leaves overlapping
 * objects, and a client's copy is archived at its own offsets; the cold reader counts each
 * event id once, so copies are reported apart (`copies`) and only event ids count as counted.
 */
export async function coldTally(
  endpoints: LocalEndpoints,
  truth: RawTruth,
): Promise<TierTally & { copies: number }> {
  const s3 = createS3Client({ region: endpoints.s3.region, endpoint: endpoints.s3.endpoint });
  try {
    const keys = await listArchiveKeys(
      s3,
      endpoints.s3.buckets.archive,
      `events/project=${endpoints.project}/`,
    );
    // The archive function names objects by their events' hour (dt=YYYY-MM-DD/hour=HH), so
    // history's are skipped unread. Compacted (Parquet) objects hold only days before the one
    // under way, none of a scenario's live events: history too.
    const sinceHour = new Date(Math.floor(truth.sinceMs / 3_600_000) * 3_600_000).toISOString().slice(0, 13);
    const got = new Map<string, number>();
    let lines = 0;
    for (const key of keys) {
      const hour = /dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
      if (!hour || `${hour[1]}T${hour[2]}` < sinceHour) continue;
      for (const row of await readArchiveObject(s3, endpoints.s3.buckets.archive, key)) {
        if (Date.parse(String(row.timestamp)) < truth.sinceMs) continue;
        lines += 1;
        got.set(String(row.event_id), 1);
      }
    }
    const tally = compareCounts(new Map(truth.events.map((r) => [r.eventId, 1])), got);
    return { ...tally, copies: lines - got.size };
  } finally {
    s3.destroy();
  }
}

/** Enriched tweets: each accepted tweet exactly once on tweets.enriched (read committed). */
export async function tweetTally(
  endpoints: LocalEndpoints,
  accepted: ReadonlySet<string>,
): Promise<TierTally> {
  const seen = new Map<string, number>();
  await readTopic(
    [endpoints.kafka],
    TOPICS.tweetsEnriched.name,
    (_p, _o, value) => {
      const tweet = JSON.parse(value) as { id: string };
      seen.set(tweet.id, (seen.get(tweet.id) ?? 0) + 1);
    },
    true,
  );
  let lost = 0;
  for (const id of accepted) if (!seen.has(id)) lost += 1;
  let duplicated = 0;
  for (const n of seen.values()) duplicated += n - 1;
  return { counted: seen.size, lost, duplicated };
}
