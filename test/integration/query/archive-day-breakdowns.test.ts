import { type AddressInfo, createServer, type Socket } from 'node:net';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_BREAKDOWNS_NAME_PREFIX } from '../../../core/aggregation/archive-key.ts';
import { utcDay } from '../../../core/archive/compaction-plan.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { FIXED_DIMENSIONS } from '../../../core/query/dimension.ts';
import { readDeadlineMs } from '../../../core/query/within-deadline.ts';
import { connectClickHouse } from '../../../io/clickhouse/connection.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import { type CompactionDeps, compactArchive, listArchiveKeys } from '../../../io/s3/compaction.ts';
import { breakdownRoute } from '../../../lambdas/query/breakdown.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { PROJECT } from '../push/push-stack.ts';
import { dayOfTraffic, KEY_OF } from './breakdown-traffic.ts';
import { breakdownTruth as truth } from './breakdown-truth.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// The query function's clock. Days are whole UTC days counted back from it, as the warm tier's
// retention follows the real clock: 45 to 42 days back is the archive's alone on any date, 3 days
// back the warm tier's. Every expectation is computed from the seeded events.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
const FIRST_DAY = TODAY - 45 * DAY_MS;
const WARM_DAY = TODAY - 3 * DAY_MS;

const archived = [0, 1, 2, 3].flatMap((d) => dayOfTraffic(20 + d, FIRST_DAY + d * DAY_MS, 300));
const warm = dayOfTraffic(30, WARM_DAY, 300);
// From six hours into the first archived day to the warm day's end: pieces of days at the ends,
// whole archived days between, and the warm tier's part.
const FROM = FIRST_DAY + 6 * HOUR_MS;
const TO = WARM_DAY + DAY_MS;
const inRange = (events: readonly EnrichedEvent[]) =>
  events.filter((e) => Date.parse(e.timestamp) >= FROM && Date.parse(e.timestamp) < TO);

let api: QueryApiStack;
let compaction: CompactionDeps;

const iso = (ms: number) => new Date(ms).toISOString();
async function breakdown(metric: string, by: string) {
  const response = await api.fetch(
    `/v1/metrics/breakdown?metric=${metric}&by=${by}&from=${iso(FROM)}&to=${iso(TO)}&limit=1000`,
  );
  expect(response.status).toBe(200);
  return (await response.json()) as {
    rows: { key: string; value: number }[];
    tiers: string[];
    degraded: unknown[];
    exact: boolean;
  };
}

/** Each estimate within 2% of the truth (uniqCombined's error is about 0.5%), over the same keys. */
function expectClose(rows: { key: string; value: number }[], expected: { key: string; value: number }[]) {
  expect(rows.map((r) => r.key).sort()).toEqual(expected.map((r) => r.key).sort());
  const truthOf = new Map(expected.map((r) => [r.key, r.value]));
  for (const r of rows)
    expect(Math.abs(r.value - truthOf.get(r.key)!), r.key).toBeLessThanOrEqual(truthOf.get(r.key)! * 0.02);
}

beforeAll(async () => {
  api = await startQueryApiStack('archive-day-breakdowns', { now: () => NOW, queryCacheTtlMs: 1 });
  await api.deliver([...archived, ...warm]);
  // A client sends a quarter of them again, at new offsets: copies the archive keeps, once each.
  await api.deliver(archived.filter((_, i) => i % 4 === 0));
  compaction = {
    s3: createS3Client({ region: 'us-east-1', endpoint: api.archive.s3.endpoint }),
    clickhouse: api.archive.client,
    bucket: LOCAL_BUCKETS.archive,
    cold: api.archive.cold,
  };
  await compactArchive(compaction, { beforeDay: utcDay(TODAY) });
}, 120_000);

afterAll(async () => {
  compaction?.s3.destroy();
  await api?.close();
});

describe('breakdowns over compacted history, from the day breakdowns compaction writes', () => {
  it('writes day breakdowns beside each compacted object', async () => {
    const keys = (await listArchiveKeys(compaction.s3, compaction.bucket, 'events')).map((k) => k.key);
    const compacted = keys.filter((k) => k.includes('/compacted-'));
    expect(compacted.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.includes(`/${DAY_BREAKDOWNS_NAME_PREFIX}`))).toHaveLength(compacted.length);
  });

  it('answers counts by every dimension exactly, and visitors as an estimate it says is one', async () => {
    const truthEvents = inRange([...archived, ...warm]);
    for (const by of [...FIXED_DIMENSIONS, 'prop.plan', 'prop.seats']) {
      const body = await breakdown('events', by);
      expect(body, by).toMatchObject({ tiers: ['cold', 'warm'], degraded: [], exact: true });
      expect(body.rows, by).toEqual(truth(truthEvents, 'events', KEY_OF[by]!));
    }
    for (const metric of ['orders', 'revenue'] as const)
      expect((await breakdown(metric, 'campaign')).rows, metric).toEqual(
        truth(truthEvents, metric, KEY_OF.campaign!),
      );
    // Only the day breakdowns estimate visitors over the archive: its rows count them exactly.
    for (const by of ['os', 'prop.plan']) {
      const visitors = await breakdown('visitors', by);
      expect(visitors.exact, by).toBe(false);
      expectClose(visitors.rows, truth(truthEvents, 'visitors', KEY_OF[by]!));
    }
  });

  it('reads a day from its rows once a batch arrives after its compaction: copies count once, new events count', async () => {
    const secondDay = archived.filter((e) => utcDay(Date.parse(e.timestamp)) === utcDay(FIRST_DAY + DAY_MS));
    const late = dayOfTraffic(40, FIRST_DAY + DAY_MS, 30);
    await api.deliver([...secondDay.filter((_, i) => i % 2 === 0), ...late]);
    const truthEvents = inRange([...archived, ...late, ...warm]);
    for (const by of ['type', 'page', 'prop.plan'])
      expect((await breakdown('events', by)).rows, by).toEqual(truth(truthEvents, 'events', KEY_OF[by]!));
    expect((await breakdown('revenue', 'country')).rows).toEqual(
      truth(truthEvents, 'revenue', KEY_OF.country!),
    );
    archived.push(...late);
  });

  it('reads an object without day breakdowns by its rows, until a compaction run writes them', async () => {
    const keys = (await listArchiveKeys(compaction.s3, compaction.bucket, 'events')).map((k) => k.key);
    const breakdowns = keys.filter((k) => k.includes(`/${DAY_BREAKDOWNS_NAME_PREFIX}`));
    await compaction.s3.send(
      new DeleteObjectsCommand({
        Bucket: compaction.bucket,
        Delete: { Objects: breakdowns.map((Key) => ({ Key })) },
      }),
    );
    const truthEvents = inRange([...archived, ...warm]);
    const exactly = await breakdown('visitors', 'device');
    expect(exactly.exact).toBe(true);
    expect(exactly.rows).toEqual(truth(truthEvents, 'visitors', KEY_OF.device!));

    const batches = keys.filter((k) => k.endsWith('.ndjson.gz')).length;
    const report = await compactArchive(compaction, { beforeDay: utcDay(TODAY) });
    // Sources only: the late batches and the objects they were compacted with.
    expect(report.deleted).toBe(batches + report.jobs);
    // The objects with a late batch beside them (one month of each project) are compacted anew,
    // with their breakdowns; every other one only gets its breakdowns.
    expect(report.jobs).toBeGreaterThan(0);
    expect(report.summarized).toBe(breakdowns.length - report.jobs);
    const estimated = await breakdown('visitors', 'device');
    expect(estimated.exact).toBe(false);
    expectClose(estimated.rows, truth(truthEvents, 'visitors', KEY_OF.device!));
    expect((await breakdown('events', 'source')).rows).toEqual(truth(truthEvents, 'events', KEY_OF.source!));
  });
});

describe('an archive that does not answer in time', () => {
  it('answers the warm tier’s part, lists the archive as degraded, and leaves no statement running', async () => {
    // An S3 endpoint that takes connections and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const tierTimeoutMs = 250;
    // The query function's client: ClickHouse stops a statement once no route waits for it.
    const clickhouse = connectClickHouse(
      { url: api.archive.endpoint.url, username: 'default', password: '', database: 'default' },
      { maxExecutionMs: readDeadlineMs(['cold'], tierTimeoutMs) },
    );
    try {
      const breakdown = breakdownRoute({
        clickhouse,
        cold: { ...api.archive.cold, bucketUrl: `http://127.0.0.1:${port}/${LOCAL_BUCKETS.archive}` },
        tierTimeoutMs,
      });
      const query = { metric: 'events', by: 'device', from: iso(FROM), to: iso(TO) };
      const result = await breakdown(
        PROJECT,
        { rawQueryString: new URLSearchParams(query).toString(), queryStringParameters: query },
        NOW,
      );
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body as string);
      expect(body.degraded).toContainEqual({ tier: 'cold', store: 's3' });
      // The warm tier's part, whole, unless chDB (one statement at a time) was still busy with
      // the archive's when the warm tier's time ran out too: then it says so.
      if (body.tiers.length > 0)
        expect(body).toMatchObject({ tiers: ['warm'], rows: truth(inRange(warm), 'events', KEY_OF.device!) });
      else expect(body.degraded).toContainEqual({ tier: 'warm', store: 'clickhouse' });
      const running = async () => {
        const answer = await api.archive.client.query({
          query: `SELECT count() AS n FROM system.processes WHERE query LIKE {endpoint:String} AND query NOT LIKE '%system.processes%'`,
          query_params: { endpoint: `%127.0.0.1:${port}%` },
          format: 'JSONEachRow',
        });
        return Number((await answer.json<{ n: string }>())[0]?.n);
      };
      await expect.poll(running, { timeout: 20_000, interval: 250 }).toBe(0);
    } finally {
      await clickhouse.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);
});
