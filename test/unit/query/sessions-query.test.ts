import { describe, expect, it } from 'vitest';
import { parseFilters } from '../../../core/query/filter.ts';
import {
  SESSION_GAP_MS,
  sessionFigures,
  sessionsAnswer,
  sessionsReadRange,
  sessionsSql,
} from '../../../core/query/sessions-query.ts';

const T = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;

describe('session figures', () => {
  it('are ratios of the sums, rounded, and null without sessions', () => {
    expect(sessionFigures({ sessions: 3, bounces: 1, durationMs: 1000, pageViews: 5 })).toEqual({
      sessions: 3,
      bounces: 1,
      bounce_rate: 0.3333,
      avg_duration_s: 0.333,
      pages_per_session: 1.667,
    });
    expect(sessionFigures({ sessions: 0, bounces: 0, durationMs: 0, pageViews: 0 })).toEqual({
      sessions: 0,
      bounces: 0,
      bounce_rate: null,
      avg_duration_s: null,
      pages_per_session: null,
    });
  });

  it('list every step of the range and total them from the sums, not from the steps’ ratios', () => {
    const q = { fromMs: T, toMs: T + 3 * HOUR, stepSeconds: 3600 };
    const answer = sessionsAnswer(
      q,
      new Map([
        [T, { sessions: 1, bounces: 1, durationMs: 0, pageViews: 1 }],
        [T + 2 * HOUR, { sessions: 3, bounces: 0, durationMs: 9000, pageViews: 9 }],
      ]),
    );
    expect(answer.steps.map((s) => [s.t, s.sessions, s.bounce_rate])).toEqual([
      [T, 1, 1],
      [T + HOUR, 0, null],
      [T + 2 * HOUR, 3, 0],
    ]);
    expect(answer.totals).toEqual({
      sessions: 4,
      bounces: 1,
      bounce_rate: 0.25,
      avg_duration_s: 2.25,
      pages_per_session: 2.5,
    });
  });
});

describe('the sessions statement', () => {
  it('reads 30 minutes either side of the range, to see its sessions whole', () => {
    expect(sessionsReadRange({ fromMs: T, toMs: T + HOUR })).toEqual({
      fromMs: T - SESSION_GAP_MS,
      toMs: T + HOUR + SESSION_GAP_MS,
    });
  });

  it('counts sessions started in [from, to) on the query’s grid, filter values as parameters', () => {
    const q = {
      project: 'shop',
      filters: parseFilters(["country:D'E"]),
      fromMs: T,
      toMs: T + HOUR,
      stepSeconds: 60,
    };
    const { sql, params } = sessionsSql(q, [{ sql: 'SELECT 1', params: { warm_from: 1 } }]);
    expect(sql).not.toContain("D'E");
    expect(params).toMatchObject({
      warm_from: 1,
      filter_0_value: "D'E",
      project: 'shop',
      origin: T,
      stepMs: 60_000,
      gapMs: SESSION_GAP_MS,
      sessions_from: T,
      sessions_to: T + HOUR,
    });
    expect(() => sessionsSql(q, [])).toThrow(/no span/);
  });
});
