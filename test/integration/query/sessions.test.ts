import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EventType } from '../../../core/events/event-types.ts';
import {
  addSessionSums,
  type SessionFigures,
  type SessionSums,
  type SessionsQuery,
  sessionFigures,
} from '../../../core/query/sessions-query.ts';
import { archiveSource } from '../../../io/clickhouse/cold-reader.ts';
import { readSessions } from '../../../io/clickhouse/sessions-reader.ts';
import { sessionsRoute } from '../../../lambdas/query/sessions.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
// The query function is given this clock. The days are whole UTC days counted back from it,
// because the warm tier's retention follows the real clock: 3 days back is the warm tier's on
// any date, 40 days back only the archive's. Every expectation below is a literal, worked out
// from the seeded visits, never from the clock.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
const WARM_DAY = TODAY - 3 * DAY_MS;
const COLD_DAY = TODAY - 40 * DAY_MS;

interface Visit {
  readonly user_id?: string;
  readonly anonymous_id?: string;
  readonly session_id?: string;
  readonly is_bot?: boolean;
  readonly device?: 'mobile' | 'desktop';
  readonly project?: string;
  /** Each event: minutes after the day's start, type (page_view when absent), properties. */
  readonly events: ReadonlyArray<readonly [number, EventType?, Record<string, unknown>?]>;
}

const H2 = 120;
/**
 * One day of visits with known sessions (minutes from the day's start). Sessions that start in
 * the day, with page views and duration (last event - first event):
 *   02:00 u1 A            2 pages,  600 s   (no session id; 31 minutes later a new session)
 *   02:41 u1 B            1 page,     0 s   bounce
 *   02:01 u2 "s-100"      3 pages, 2940 s   (a 47-minute pause, but one session id)
 *   02:02 a3 "s-200"      1 page,     0 s   bounce (anonymous)
 *   02:04 u7 "s-100"      1 page,     0 s   bounce (another visitor's session of the same id)
 *   02:55 u8              2 pages,  420 s   (runs into 03:02: counted at 02:00 whole)
 *   03:10 u4              2 pages,  600 s   (then a purchase, prop plan=pro)
 *   03:30 u6 "s-300"      1 page,     0 s   bounce, mobile
 *   03:31 u6 "s-301"      2 pages,  240 s   mobile
 *   23:55 u10             2 pages,  900 s   (its last event the next day, 00:10)
 * and none of: u9's visit that began the day before (23:50) and goes on at 00:05, a bot's
 * visit, another project's visit.
 */
const VISITS: readonly Visit[] = [
  { user_id: 'u1', events: [[H2], [H2 + 5], [H2 + 10, 'click'], [H2 + 41]] },
  { user_id: 'u2', session_id: 's-100', events: [[H2 + 1], [H2 + 3], [H2 + 50]] },
  { anonymous_id: 'a3', session_id: 's-200', events: [[H2 + 2]] },
  { user_id: 'u7', session_id: 's-100', events: [[H2 + 4]] },
  { user_id: 'u8', events: [[H2 + 55], [H2 + 62]] },
  { user_id: 'u4', events: [[H2 + 70], [H2 + 72], [H2 + 80, 'purchase', { plan: 'pro' }]] },
  { user_id: 'u6', session_id: 's-300', device: 'mobile', events: [[H2 + 90]] },
  { user_id: 'u6', session_id: 's-301', device: 'mobile', events: [[H2 + 91], [H2 + 95]] },
  { user_id: 'u10', events: [[24 * 60 - 5], [24 * 60 + 10]] },
  { user_id: 'u9', events: [[-10], [5]] },
  { user_id: 'u5', is_bot: true, events: [[H2 + 20], [H2 + 21]] },
  { user_id: 'u1', project: 'other', events: [[H2 + 30]] },
];

function dayOfVisits(dayMs: number): EnrichedEvent[] {
  return VISITS.flatMap((v) =>
    v.events.map(([minute, type, properties]) =>
      enrichedEvent({
        project: v.project ?? PROJECT,
        type: type ?? 'page_view',
        user_id: v.user_id ?? null,
        anonymous_id: v.anonymous_id ?? null,
        session_id: v.session_id ?? null,
        is_bot: v.is_bot === true,
        timestamp: new Date(dayMs + minute * MINUTE_MS).toISOString(),
        properties: properties ?? null,
        user_agent: {
          browser: 'Chrome',
          browser_version: '120',
          os: v.device === 'mobile' ? 'Android' : 'Linux',
          device_type: v.device ?? 'desktop',
        },
      }),
    ),
  );
}

const warmEvents = dayOfVisits(WARM_DAY);
const coldEvents = dayOfVisits(COLD_DAY);

let api: QueryApiStack;

beforeAll(async () => {
  api = await startQueryApiStack('sessions', { now: () => NOW });
  const all = [...coldEvents, ...warmEvents];
  // Every event reaches both sinks, as from events.raw; a client then sends every other one again
  // at new offsets. Counted twice, a copy would add page views and bounces would become visits.
  await api.deliver(all);
  await api.deliver(all.filter((_, i) => i % 2 === 0));
}, 120_000);

afterAll(() => api?.close());

async function get(path: string) {
  const response = await api.fetch(path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (start: number) => `from=${iso(start)}&to=${iso(start + DAY_MS)}`;
const none: SessionFigures = {
  sessions: 0,
  bounces: 0,
  bounce_rate: null,
  avg_duration_s: null,
  pages_per_session: null,
};

/** The day's hourly steps: every hour listed, those without sessions as zero. */
function hourly(start: number) {
  const steps = Array.from({ length: 24 }, (_, h) => ({ t: start + h * HOUR_MS, ...none }));
  steps[2] = {
    t: start + 2 * HOUR_MS,
    sessions: 6,
    bounces: 3,
    bounce_rate: 0.5,
    avg_duration_s: 660,
    pages_per_session: 1.667,
  };
  steps[3] = {
    t: start + 3 * HOUR_MS,
    sessions: 3,
    bounces: 1,
    bounce_rate: 0.3333,
    avg_duration_s: 280,
    pages_per_session: 1.667,
  };
  steps[23] = {
    t: start + 23 * HOUR_MS,
    sessions: 1,
    bounces: 0,
    bounce_rate: 0,
    avg_duration_s: 900,
    pages_per_session: 2,
  };
  return steps;
}

const DAY_TOTALS = {
  sessions: 10,
  bounces: 4,
  bounce_rate: 0.4,
  avg_duration_s: 570,
  pages_per_session: 1.7,
};

describe('GET /v1/metrics/sessions', () => {
  it('answers a warm day’s sessions per hour and in total, exactly, each event id once', async () => {
    const { status, body } = await get(`/v1/metrics/sessions?${day(WARM_DAY)}&step=1h`);
    expect(status).toBe(200);
    expect(body).toEqual({
      from: iso(WARM_DAY),
      to: iso(WARM_DAY + DAY_MS),
      step_s: 3600,
      session_gap_s: 1800,
      filters: [],
      steps: hourly(WARM_DAY),
      totals: DAY_TOTALS,
      exact: true,
      tiers: ['warm'],
      degraded: [],
    });
  });

  it('answers a cold day the same from the archive, which holds the client’s copies', async () => {
    const { status, body } = await get(`/v1/metrics/sessions?${day(COLD_DAY)}&step=1h`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      steps: hourly(COLD_DAY),
      totals: DAY_TOTALS,
      tiers: ['cold'],
      degraded: [],
    });
    const archived = await api.archive.client.query({
      query: `SELECT count() AS n FROM ${archiveSource(api.archive.cold, { project: PROJECT, fromMs: COLD_DAY, toMs: COLD_DAY + DAY_MS })}
              WHERE project = {project:String}`,
      query_params: { project: PROJECT },
      format: 'JSONEachRow',
    });
    const [{ n }] = (await archived.json<{ n: string }>()) as [{ n: string }];
    expect(Number(n)).toBeGreaterThan(coldEvents.filter((e) => e.project === PROJECT).length);
  });

  it('gives a whole day as one step, and a session to the step it started in', async () => {
    const { body } = await get(`/v1/metrics/sessions?${day(WARM_DAY)}&step=1d`);
    expect(body.steps).toEqual([{ t: WARM_DAY, ...DAY_TOTALS }]);
    // From 03:00: u8's session (02:55-03:02) began before and is not counted, though its last
    // event is in range; nor is u2's, though only its event of 02:50 lies within 30 minutes.
    const from3 = await get(
      `/v1/metrics/sessions?from=${iso(WARM_DAY + 3 * HOUR_MS)}&to=${iso(WARM_DAY + 4 * HOUR_MS)}&step=1h`,
    );
    expect(from3.body.totals).toEqual({
      sessions: 3,
      bounces: 1,
      bounce_rate: 0.3333,
      avg_duration_s: 280,
      pages_per_session: 1.667,
    });
  });

  it('counts a session whole when one of its events passes the filters', async () => {
    // u4's purchase alone carries plan=pro: its session counts with both page views before it.
    const pro = await get(`/v1/metrics/sessions?${day(COLD_DAY)}&step=1d&filter=prop.plan:pro`);
    expect(pro.body.totals).toEqual({
      sessions: 1,
      bounces: 0,
      bounce_rate: 0,
      avg_duration_s: 600,
      pages_per_session: 2,
    });
    expect(pro.body.filters).toEqual([{ dimension: 'prop.plan', value: 'pro' }]);
    const mobile = await get(`/v1/metrics/sessions?${day(WARM_DAY)}&step=1d&filter=device:mobile`);
    expect(mobile.body.totals).toEqual({
      sessions: 2,
      bounces: 1,
      bounce_rate: 0.5,
      avg_duration_s: 120,
      pages_per_session: 1.5,
    });
  });

  it('answers 400 naming the parameter and the rule for bad input', async () => {
    const cases: Array<[string, string, string]> = [
      ['step=30', 'step', 'range'],
      ['step=soon', 'step', 'format'],
      [`step=1m&from=${iso(WARM_DAY - 8 * DAY_MS)}&to=${iso(WARM_DAY)}`, 'step', 'maxSteps'],
      [`from=${iso(WARM_DAY)}&to=${iso(WARM_DAY - DAY_MS)}`, 'from', 'order'],
      ['from=yesterday', 'from', 'format'],
      ['filter=planet:mars', 'filter', 'enum'],
    ];
    for (const [query, field, rule] of cases) {
      const { status, body } = await get(`/v1/metrics/sessions?${query}`);
      expect(status, query).toBe(400);
      expect(body, query).toMatchObject({ field, rule });
      expect(body.message, query).toMatch(new RegExp(`^${field}: `));
    }
  });
});

describe('sessions across the tiers', () => {
  it('counts a visit with events in both tiers once, reading them in one statement', async () => {
    // The archive holds the warm day too: read it up to 02:30 from there and the rest from the
    // warm table, so u2's visit (02:01 to 02:50, one session id) has events in both spans.
    const cut = WARM_DAY + 2.5 * HOUR_MS;
    const q: SessionsQuery = {
      project: PROJECT,
      filters: [],
      fromMs: WARM_DAY,
      toMs: WARM_DAY + DAY_MS,
      stepSeconds: 86_400,
    };
    const cold = { tier: 'cold' as const, fromMs: WARM_DAY - 30 * MINUTE_MS, toMs: cut };
    const warm = { tier: 'warm' as const, fromMs: cut, toMs: WARM_DAY + DAY_MS + 30 * MINUTE_MS };
    const together = await readSessions(api.archive.client, api.archive.cold, q, [cold, warm]);
    expect(sessionFigures(together.get(WARM_DAY)!)).toEqual(DAY_TOTALS);
    // Read apart and added, as a summing reader would, u2's visit counts twice: its event of
    // 02:50 alone makes a session in the warm span.
    const apart = await Promise.all(
      [cold, warm].map((span) => readSessions(api.archive.client, api.archive.cold, q, [span])),
    );
    const added = apart.reduce<SessionSums>((sum, part) => addSessionSums(sum, part.get(WARM_DAY)!), {
      sessions: 0,
      bounces: 0,
      durationMs: 0,
      pageViews: 0,
    });
    expect(added.sessions).toBe(DAY_TOTALS.sessions + 1);
  });
});

describe('sessions with a tier down', () => {
  it('answers the part the warm tier holds and lists the cold tier as degraded', async () => {
    // No archive configured: the cold tier cannot answer, as when S3 is unreachable.
    const sessions = sessionsRoute({ clickhouse: api.archive.client, tierTimeoutMs: 15_000 });
    const query = { from: iso(COLD_DAY), to: iso(WARM_DAY + DAY_MS), step: '1d' };
    const answer = await sessions(
      PROJECT,
      { rawQueryString: new URLSearchParams(query).toString(), queryStringParameters: query },
      NOW,
    );
    // The warm day's sessions and, in this range, u9's too (23:50 the day before: 2 pages, 900 s).
    expect(answer).toMatchObject({
      totals: {
        sessions: 11,
        bounces: 4,
        bounce_rate: 0.3636,
        avg_duration_s: 600,
        pages_per_session: 1.727,
      },
      exact: true,
      tiers: ['warm'],
      degraded: [{ tier: 'cold', store: 's3' }],
    });
  });
});
