import type { SqlPart } from './dimension.ts';
import { type Filter, filterSql } from './filter.ts';
import { stepOrigin, stepStarts } from './metric-query.ts';

/**
 * A visitor's events without a session id belong to one session until they pause for longer
 * than this (the inactivity rule of Google Analytics, Plausible and Segment's own libraries).
 */
export const SESSION_GAP_MS = 30 * 60_000;

/** More steps than this in one answer is refused: a larger step is asked for instead. */
export const MAX_SESSION_STEPS = 10_000;

/** Sessions of project P that started in [from, to), per step, of the visits passing every filter. */
export interface SessionsQuery {
  readonly project: string;
  readonly filters: readonly Filter[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepSeconds: number;
}

/** What a step's sessions add up to: every figure of the answer is made from these sums. */
export interface SessionSums {
  /** Sessions that started in the step. */
  readonly sessions: number;
  /** Of those, sessions with exactly one page view. */
  readonly bounces: number;
  /** Sum over the sessions of last event - first event. */
  readonly durationMs: number;
  /** Page views of those sessions (all of them, those after the step's end too). */
  readonly pageViews: number;
}

/** The figures a marketing lead reads, of one step or of the whole range. */
export interface SessionFigures {
  readonly sessions: number;
  readonly bounces: number;
  /** bounces / sessions, 0-1, to 4 places; null without sessions. */
  readonly bounce_rate: number | null;
  /** Mean session duration in seconds, to the millisecond; null without sessions. */
  readonly avg_duration_s: number | null;
  /** Page views per session, to 3 places; null without sessions. */
  readonly pages_per_session: number | null;
}

export interface SessionStep extends SessionFigures {
  /** Start of the step, epoch ms. */
  readonly t: number;
}

const EMPTY: SessionSums = { sessions: 0, bounces: 0, durationMs: 0, pageViews: 0 };

const rounded = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function sessionFigures(s: SessionSums): SessionFigures {
  const per = (value: number, places: number) =>
    s.sessions === 0 ? null : rounded(value / s.sessions, places);
  return {
    sessions: s.sessions,
    bounces: s.bounces,
    bounce_rate: per(s.bounces, 4),
    avg_duration_s: per(s.durationMs / 1000, 3),
    pages_per_session: per(s.pageViews, 3),
  };
}

export function addSessionSums(a: SessionSums, b: SessionSums): SessionSums {
  return {
    sessions: a.sessions + b.sessions,
    bounces: a.bounces + b.bounces,
    durationMs: a.durationMs + b.durationMs,
    pageViews: a.pageViews + b.pageViews,
  };
}

/**
 * The range whose events are read to see the sessions that start in [from, to) whole: events up
 * to SESSION_GAP_MS before `from` show whether a visit that goes on at `from` began before it
 * (then it is not counted), and events up to SESSION_GAP_MS after `to` finish the visits that
 * began just before `to`. A visit that goes on longer past `to` is cut there, as is one with a
 * session id whose earlier events lie over SESSION_GAP_MS before `from` (counted as starting at
 * its first event read).
 */
export function sessionsReadRange(q: Pick<SessionsQuery, 'fromMs' | 'toMs'>): {
  fromMs: number;
  toMs: number;
} {
  return { fromMs: q.fromMs - SESSION_GAP_MS, toMs: q.toMs + SESSION_GAP_MS };
}

/**
 * The one statement of the sessions of `q` over event rows of one or more tier spans (each a
 * SELECT with the columns of io/clickhouse/event-rows.ts). One statement rather than one per
 * tier, so a visit whose events lie in both tiers is one session.
 *
 * A session is a visitor's events with one session id, or, without one, a run of the visitor's
 * events with no pause over SESSION_GAP_MS: lagInFrame gives each event the time of the one
 * before it, a pause opens a new session, and a running sum of openings numbers them. The sum
 * runs over a RANGE frame so that events of the same millisecond, whatever order the sort left
 * them in, get one number. Bots and events of no visitor make no session. A session passes the
 * filters when one of its events does, and is then counted whole, in the step it started in.
 */
export function sessionsSql(q: SessionsQuery, spans: readonly SqlPart[]): SqlPart {
  if (spans.length === 0) throw new Error('sessionsSql: no span to read');
  const filters = filterSql(q.filters);
  const passes = filters.conditions.length > 0 ? `(${filters.sql})` : '1';
  const visit = 'PARTITION BY visitor, session_id ORDER BY ms';
  const sql = `SELECT {origin:Int64} + intDiv(started_ms - {origin:Int64}, {stepMs:Int64}) * {stepMs:Int64} AS t,
       count() AS sessions, countIf(views = 1) AS bounces,
       sum(ended_ms - started_ms) AS duration_ms, sum(views) AS page_views
FROM (
  SELECT min(ms) AS started_ms, max(ms) AS ended_ms, countIf(type = 'page_view') AS views,
         max(passes) AS passes
  FROM (
    SELECT visitor, session_id, ms, type, passes,
           sum(opens) OVER (${visit} RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_no
    FROM (
      SELECT visitor, session_id, ms, type, passes,
             (session_id = ''
               AND ms - lagInFrame(ms, 1, ms) OVER (${visit} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) > {gapMs:Int64})
               AS opens
      FROM (
        SELECT visitor, session_id, toUnixTimestamp64Milli(ts) AS ms, type, ${passes} AS passes
        FROM (${spans.map((s) => s.sql).join('\nUNION ALL\n')})
        WHERE NOT is_bot AND visitor != ''
      )
    )
  )
  GROUP BY visitor, session_id, session_no
)
WHERE passes AND started_ms >= {sessions_from:Int64} AND started_ms < {sessions_to:Int64}
GROUP BY t
ORDER BY t`;
  return {
    sql,
    params: {
      ...Object.assign({}, ...spans.map((s) => s.params)),
      ...filters.params,
      project: q.project,
      origin: stepOrigin(q),
      stepMs: q.stepSeconds * 1000,
      gapMs: SESSION_GAP_MS,
      sessions_from: q.fromMs,
      sessions_to: q.toMs,
    },
  };
}

/** A row of sessionsSql as ClickHouse answers it (64-bit numbers arrive as text). */
export interface SessionSqlRow {
  readonly t: string | number;
  readonly sessions: string | number;
  readonly bounces: string | number;
  readonly duration_ms: string | number;
  readonly page_views: string | number;
}

export function sessionSumsByStep(rows: readonly SessionSqlRow[]): Map<number, SessionSums> {
  return new Map(
    rows.map((r) => [
      Number(r.t),
      {
        sessions: Number(r.sessions),
        bounces: Number(r.bounces),
        durationMs: Number(r.duration_ms),
        pageViews: Number(r.page_views),
      },
    ]),
  );
}

/** Every step of the range (none left out for want of sessions) and the totals of the range. */
export function sessionsAnswer(
  q: Pick<SessionsQuery, 'fromMs' | 'toMs' | 'stepSeconds'>,
  byStep: ReadonlyMap<number, SessionSums>,
): { steps: SessionStep[]; totals: SessionFigures } {
  let totals = EMPTY;
  const steps = stepStarts(q).map((t) => {
    const sums = byStep.get(t) ?? EMPTY;
    totals = addSessionSums(totals, sums);
    return { t, ...sessionFigures(sums) };
  });
  return { steps, totals: sessionFigures(totals) };
}
