import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '../../core/topics.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { runProcess } from '../support/run-process.ts';
import { seeded } from './seeded-random.ts';

const SPATE = join(import.meta.dirname, '../../bin/spate.js');

/**
 * History an app team loads while its site is live: Segment messages posted to `/v1/import`,
 * most of them over twenty fixed years (1996-2016, every day's count known), a few over the last
 * month (rows the warm tier loads beside the live ones). The live load must keep reaching
 * ClickHouse while this goes in, and importing it twice must change no count.
 */
export interface History {
  readonly messages: readonly SegmentMessage[];
  /** Events per UTC day (day start in ms) of the fixed years. */
  readonly perDay: ReadonlyMap<number, number>;
}

export interface SegmentMessage {
  readonly type: 'track' | 'page';
  readonly messageId: string;
  readonly userId: string;
  readonly timestamp: string;
  readonly event?: string;
  readonly properties?: Record<string, unknown>;
}

const DAY_MS = 86_400_000;
export const HISTORY_FROM_MS = Date.UTC(1996, 0, 1);
export const HISTORY_TO_MS = Date.UTC(2016, 0, 1);

/** `count` messages, seeded; a twentieth of them between 30 and 2 days before `nowMs`. */
export function historyOf(count: number, seed: number, nowMs: number): History {
  const random = seeded(seed);
  const perDay = new Map<number, number>();
  const messages = Array.from({ length: count }, (_, i): SegmentMessage => {
    const recent = random() < 0.05;
    const timeMs = recent
      ? nowMs - 2 * DAY_MS - Math.floor(random() * 28 * DAY_MS)
      : HISTORY_FROM_MS + Math.floor(random() * (HISTORY_TO_MS - HISTORY_FROM_MS));
    if (!recent) {
      const day = Math.floor(timeMs / DAY_MS) * DAY_MS;
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const base = {
      messageId: `history-${seed}-${i}`,
      userId: `customer-${Math.floor(random() * 2000)}`,
      timestamp: new Date(timeMs).toISOString(),
    };
    const kind = random();
    if (kind < 0.7) return { ...base, type: 'page', properties: { path: `/products/${i % 50}` } };
    if (kind < 0.9)
      return { ...base, type: 'track', event: 'Product Viewed', properties: { product_id: `p${i % 50}` } };
    return {
      ...base,
      type: 'track',
      event: 'Order Completed',
      properties: { order_id: `o${i}`, revenue: 20 },
    };
  });
  return { messages, perDay };
}

export interface ImportOutcome {
  readonly accepted: number;
  readonly rejected: number;
  readonly ms: number;
}

/** Posts the messages to `/v1/import` as an importer does: batches of 500, four in flight, retried on refusal as told. */
export async function importHistory(
  endpoints: Pick<LocalEndpoints, 'http' | 'writeKey'>,
  messages: readonly SegmentMessage[],
): Promise<ImportOutcome> {
  const started = Date.now();
  const auth = `Basic ${Buffer.from(`${endpoints.writeKey}:`).toString('base64')}`;
  let accepted = 0;
  let rejected = 0;
  let next = 0;
  const sendOne = async (batch: readonly SegmentMessage[]) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${endpoints.http}/v1/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
        signal: AbortSignal.timeout(60_000),
      }).catch(() => undefined);
      if (response && response.status < 500 && response.status !== 429) {
        const body = (await response.json()) as { accepted: number; rejected: number };
        accepted += body.accepted;
        rejected += body.rejected;
        return;
      }
      if (attempt >= 100) throw new Error(`/v1/import: batch refused ${attempt} times (${response?.status})`);
      // History is paced (429 with Retry-After past SPATE_IMPORT_RATE_PER_S): wait as told.
      const retryAfterS = Number(response?.headers.get('retry-after'));
      await new Promise((r) =>
        setTimeout(r, retryAfterS > 0 ? retryAfterS * 1000 : 500 * Math.min(attempt, 10)),
      );
    }
  };
  const worker = async () => {
    while (next < messages.length) {
      const batch = messages.slice(next, next + 500);
      next += batch.length;
      await sendOne(batch);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { accepted, rejected, ms: Date.now() - started };
}

/**
 * How long live events take to reach ClickHouse while `loading` runs: one probe event a second
 * through the live route, each timed until its row is in the events table. One query every
 * 500 ms asks for all the probes still out (a query per probe would itself load the local
 * ClickHouse, which runs two statements at a time). Resolves with every probe's delay in ms once
 * `loading` has settled and every probe arrived, or `timeoutMs` after its send: a probe that
 * never arrived counts as Infinity. The probes are live events like any other: every tier counts
 * them, so a fault row's counts exceed the load's accepted by their number.
 */
export async function liveToWarmDelays(
  endpoints: Pick<LocalEndpoints, 'http' | 'writeKey' | 'clickhouse' | 'project'>,
  loading: Promise<unknown>,
  timeoutMs = 60_000,
): Promise<{ delaysMs: number[]; sentWhileLoading: number }> {
  let done = false;
  const over = () => {
    done = true;
  };
  // The import's own failure is its caller's to report; here it only ends the probing.
  loading.then(over, over);
  const client = createClient({ url: endpoints.clickhouse, request_timeout: 30_000 });
  const sent = new Map<string, number>();
  const arrived = new Map<string, number>();
  const out = () =>
    [...sent.keys()].filter((id) => !arrived.has(id) && Date.now() - sent.get(id)! < timeoutMs);
  try {
    let nextProbe = 0;
    while (!done || out().length > 0) {
      if (!done && Date.now() >= nextProbe) {
        nextProbe = Date.now() + 1000;
        const id = crypto.randomUUID();
        sent.set(id, await sendProbe(endpoints, id));
      }
      const waiting = out();
      if (waiting.length > 0)
        for (const id of await inWarmTier(client, endpoints.project, waiting)) arrived.set(id, Date.now());
      await new Promise((r) => setTimeout(r, 500));
    }
    const delaysMs = [...sent].map(([id, at]) =>
      arrived.has(id) ? arrived.get(id)! - at : Number.POSITIVE_INFINITY,
    );
    return { delaysMs, sentWhileLoading: sent.size };
  } finally {
    await client.close();
  }
}

/** Posts one live event with this id through `/v1/events`; resolves with when it was sent. */
async function sendProbe(
  endpoints: Pick<LocalEndpoints, 'http' | 'writeKey'>,
  eventId: string,
): Promise<number> {
  const at = Date.now();
  const response = await fetch(`${endpoints.http}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoints.writeKey}` },
    body: JSON.stringify([
      {
        event_id: eventId,
        type: 'page_view',
        user_id: `live-probe-${at}`,
        timestamp: new Date(at).toISOString(),
      },
    ]),
  });
  if (response.status !== 200)
    throw new Error(`live probe refused: ${response.status} ${await response.text()}`);
  return at;
}

/** Which of these event ids have a row in the events table (none while the table is missing). */
async function inWarmTier(
  client: ReturnType<typeof createClient>,
  project: string,
  ids: readonly string[],
): Promise<string[]> {
  return client
    .query({
      query: `SELECT toString(event_id) AS id FROM events
              WHERE project = {project:String} AND event_id IN {ids:Array(UUID)}`,
      query_params: { project, ids },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ id: string }>())
    .then((rows) => rows.map((r) => r.id))
    .catch(() => []);
}

/**
 * The query API's daily event counts for each whole year of the fixed span against what was
 * imported; the days that differ, at most 20 of them, as `day: got/want`.
 */
export async function dailyCountErrors(
  endpoints: Pick<LocalEndpoints, 'http' | 'dashboardToken'>,
  perDay: ReadonlyMap<number, number>,
  years: readonly number[],
): Promise<string[]> {
  const errors: string[] = [];
  for (const year of years) {
    const from = new Date(Date.UTC(year, 0, 1)).toISOString();
    const to = new Date(Date.UTC(year + 1, 0, 1)).toISOString();
    const response = await fetch(
      `${endpoints.http}/v1/metrics/timeseries?metric=events&step=1d&from=${from}&to=${to}`,
      {
        headers: { authorization: `Bearer ${endpoints.dashboardToken}` },
        signal: AbortSignal.timeout(120_000),
      },
    );
    const body = (await response.json()) as { points?: { t: number; value: number }[]; degraded?: string[] };
    if (response.status !== 200 || (body.degraded ?? []).length > 0) {
      errors.push(`${year}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      continue;
    }
    const got = new Map((body.points ?? []).map((p) => [p.t, p.value]));
    for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY_MS) {
      const want = perDay.get(day) ?? 0;
      if ((got.get(day) ?? 0) !== want)
        errors.push(`${new Date(day).toISOString().slice(0, 10)}: ${got.get(day) ?? 0}/${want}`);
    }
  }
  return errors.slice(0, 20);
}

interface HistoryOptions {
  readonly count: number;
  readonly seed: number;
  readonly years: readonly number[];
  readonly maxLiveDelayMs: number;
  readonly settleMs: number;
}

/**
 * The fault: `count` events of history imported while the live load runs, imported again, then
 * compacted and read back day by day. Live probes run from the import until the warehouse and
 * archive functions have read all of it (the HTTP import is over in seconds; the functions load
 * what it accepted for longer), not through the read-back: the local ClickHouse runs two
 * statements at a time, so the checks' own compaction and year-long reads would hold the probes
 * up, which says nothing about the import. Throws when a live event took over
 * `maxLiveDelayMs` to reach ClickHouse, when anything is refused, or when a day of `years` is
 * counted wrong.
 */
export async function importDuringLiveLoad(
  stack: { readonly endpoints: LocalEndpoints; readonly dataDir: string },
  options: HistoryOptions,
): Promise<string> {
  const history = historyOf(options.count, options.seed, Date.now());
  const loading = sendHistory(stack.endpoints, history, options.count);
  const live = await liveToWarmDelays(stack.endpoints, loading);
  const importMs = await loading;
  const slowest = Math.max(...live.delaysMs);
  if (!(slowest <= options.maxLiveDelayMs))
    throw new Error(
      `live events took up to ${slowest} ms to reach ClickHouse while history loaded (bound ${options.maxLiveDelayMs} ms): ${live.delaysMs.join(', ')}`,
    );
  const loaded = await readBack(stack, history, options);
  const years =
    options.years.length > 3 ? `${options.years[0]}-${options.years.at(-1)}` : options.years.join(', ');
  const failed = loaded.compactErrors;
  return (
    `${options.count} events (1996-2015, a twentieth in the last month) imported in ${(importMs / 1000).toFixed(1)} s and again; ` +
    `${live.sentWhileLoading} live probes, while the warehouse and archive loaded it, reached ClickHouse in at most ${(slowest / 1000).toFixed(1)} s; ` +
    `every day of ${years} counted right by the query API after ${loaded.compactions} spate compact runs` +
    (failed.length > 0 ? ` (${failed.length} failed: ${failed.join('; ')})` : '')
  );
}

/**
 * Imports the history twice, then waits until the warehouse and archive functions have read
 * every record the imports wrote: the span in which history could hold live rows back.
 * Resolves with the first import's time in ms.
 */
async function sendHistory(endpoints: LocalEndpoints, history: History, count: number): Promise<number> {
  const first = await importHistory(endpoints, history.messages);
  const again = await importHistory(endpoints, history.messages);
  for (const [name, run] of [
    ['import', first],
    ['re-import', again],
  ] as const)
    if (run.accepted !== count || run.rejected !== 0)
      throw new Error(`${name}: accepted ${run.accepted}, rejected ${run.rejected} of ${count}`);
  await consumedUpToNow(
    endpoints.kafka,
    TOPICS.eventsRaw.name,
    ['spate-warehouse', 'spate-archive'],
    600_000,
  );
  return first.ms;
}

/** Resolves once every group has committed, on every partition, the end the topic has now. */
async function consumedUpToNow(broker: string, topic: string, groups: readonly string[], timeoutMs: number) {
  const admin = new Kafka({
    clientId: 'fault-history',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = [];
      for (const groupId of groups) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of committed?.partitions ?? [])
          if (Number(p.offset) < (ends.get(p.partition) ?? 0)) behind.push(`${groupId}/${p.partition}`);
      }
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${behind.join(', ')}: history not consumed in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Compacts the archive and reads the imported days back until they are right. */
async function readBack(
  stack: { readonly endpoints: LocalEndpoints; readonly dataDir: string },
  history: History,
  options: HistoryOptions,
): Promise<{ compactions: number; compactErrors: string[] }> {
  const { endpoints } = stack;
  // As the README tells an importer: compact the archive once the history is in. The archive
  // function may still be writing it, so each round compacts what has arrived, then reads.
  const deadline = Date.now() + options.settleMs;
  let errors: string[];
  let compactions = 0;
  let failedRuns = 0;
  const compactErrors: string[] = [];
  do {
    const compact = await runProcess(process.execPath, [SPATE, 'compact', '--data-dir', stack.dataDir], {
      timeoutMs: 300_000,
    });
    compactions += 1;
    // A failed run deletes nothing it has not compacted, and the next run goes on (as the
    // local stack's own periodic run does); three in a row is a failure.
    failedRuns = compact.code === 0 ? 0 : failedRuns + 1;
    if (failedRuns >= 3) throw new Error(`spate compact failed 3 times: ${compact.stderr.slice(-2000)}`);
    if (compact.code !== 0) compactErrors.push(lastLine(compact.stderr));
    errors = await dailyCountErrors(endpoints, history.perDay, options.years);
    if (errors.length > 0) await new Promise((r) => setTimeout(r, 5000));
  } while (errors.length > 0 && Date.now() < deadline);
  if (errors.length > 0)
    throw new Error(`daily counts of the imported years differ (got/want): ${errors.join('; ')}`);
  return { compactions, compactErrors };
}

/** The last line of a failed run's stderr that says something: its error, not the stack. */
function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return lines.find((l) => /Exception|Error:/.test(l)) ?? lines.filter(Boolean).at(-1) ?? 'no output';
}
