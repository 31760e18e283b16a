import type { ClickHouseClient } from '@clickhouse/client';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeHotTier, type CachedAnswer, uncached } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import { type BreakdownSpan, breakdownSpans } from '../../core/query/breakdown-query.ts';
import type { Filter } from '../../core/query/filter.ts';
import {
  addSessionSums,
  MAX_SESSION_STEPS,
  SESSION_GAP_MS,
  type SessionSums,
  type SessionsQuery,
  sessionsAnswer,
  sessionsReadRange,
} from '../../core/query/sessions-query.ts';
import { readDeadlineMs, withinDeadline } from '../../core/query/within-deadline.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { readSessions } from '../../io/clickhouse/sessions-reader.ts';
import { ParamError, seconds, timeRange } from './params.ts';
import { requestFilters } from './request-filters.ts';

export interface SessionsDeps {
  readonly clickhouse: ClickHouseClient;
  /** Where ClickHouse finds the S3 archive; without it the cold tier is reported unavailable. */
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
  /** The query cache of whole warm and cold answers; without it every answer is read afresh. */
  readonly answers?: CachedAnswer;
}

type Query = Readonly<Record<string, string | undefined>>;

const DAY_MS = 86_400_000;
const TIER_STORE = { warm: 'clickhouse', cold: 's3' } as const;

/** A sessions question from a request: every parameter checked, each error naming its parameter. */
export function sessionsQueryOf(
  project: string,
  q: Query,
  filters: readonly Filter[],
  nowMs: number,
): SessionsQuery {
  const range = timeRange(q, nowMs, DAY_MS);
  const stepSeconds = seconds(q, 'step', 3600, 60, 86_400);
  if ((range.toMs - range.fromMs) / (stepSeconds * 1000) > MAX_SESSION_STEPS)
    throw new ParamError(
      `step: the range would give more than ${MAX_SESSION_STEPS} steps; use a larger step`,
      'step',
      'maxSteps',
    );
  return { project, filters, fromMs: range.fromMs, toMs: range.toMs, stepSeconds };
}

/**
 * `GET /v1/metrics/sessions`: sessions started per step, bounce rate, average duration and pages
 * per session, and the same for the whole range, from the event rows of the tiers the range
 * needs (the hot tier's part from the warm tier, as breakdowns read it). A tier that fails or
 * is slow is reported in `degraded` and the rest answered, as on the other metric routes.
 */
export function sessionsRoute(deps: SessionsDeps) {
  const t = deps.tierTimeoutMs;
  const deadline = (spans: readonly BreakdownSpan[]) =>
    readDeadlineMs(
      spans.map((s) => s.tier),
      t,
    );
  const read = (q: SessionsQuery, spans: readonly BreakdownSpan[]) =>
    withinDeadline(
      readSessions(deps.clickhouse, deps.cold, q, spans),
      deadline(spans),
      spans.map((s) => s.tier).join('+'),
    );

  async function answer(q: SessionsQuery, spans: readonly BreakdownSpan[]) {
    try {
      return { byStep: await read(q, spans), tiers: spans.map((s) => s.tier), degraded: [], exact: true };
    } catch {
      if (spans.length < 2)
        return { byStep: new Map(), tiers: [], degraded: spans.map((s) => s.tier), exact: true };
    }
    // One statement over both tiers failed: read each alone, to answer with the one that works.
    // A visit with events in both spans is then two sessions: the answer says it is not exact.
    const parts = await Promise.all(spans.map((s) => read(q, [s]).catch(() => undefined)));
    const byStep = new Map<number, SessionSums>();
    for (const part of parts)
      for (const [step, sums] of part ?? [])
        byStep.set(step, byStep.has(step) ? addSessionSums(byStep.get(step)!, sums) : sums);
    const answered = parts.filter((p) => p !== undefined).length;
    return {
      byStep,
      tiers: spans.filter((_, i) => parts[i] !== undefined).map((s) => s.tier),
      degraded: spans.filter((_, i) => parts[i] === undefined).map((s) => s.tier),
      exact: answered < 2,
    };
  }

  return async function sessions(
    project: string,
    event: Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'>,
    nowMs: number,
  ) {
    const q = sessionsQueryOf(project, event.queryStringParameters ?? {}, requestFilters(event), nowMs);
    return {
      from: new Date(q.fromMs).toISOString(),
      to: new Date(q.toMs).toISOString(),
      step_s: q.stepSeconds,
      session_gap_s: SESSION_GAP_MS / 1000,
      filters: q.filters.map((f) => ({ dimension: f.dimension.name, value: f.value })),
      ...(await figures(q, nowMs)),
    };
  };

  /**
   * The figures of the answer. A whole one over a range read before the hot tier's day is kept
   * a few seconds (core/query/answer-cache.ts): a wall of dashboards on one range costs one scan.
   */
  function figures(q: SessionsQuery, nowMs: number) {
    const range = sessionsReadRange(q);
    const spans = breakdownSpans(range, nowMs);
    const tiers = spans.map((s) => s.tier);
    const key = beforeHotTier(range, nowMs) ? answerKey('sessions', tiers, q) : undefined;
    const read = async () => {
      const a = await answer(q, spans);
      return {
        ...sessionsAnswer(q, a.byStep),
        exact: a.exact,
        tiers: [...new Set(a.tiers)],
        degraded: [...new Set(a.degraded)].map((tier) => ({ tier, store: TIER_STORE[tier] })),
      };
    };
    return (deps.answers ?? uncached)(key, read, (a) => a.exact && a.degraded.length === 0);
  }
}
