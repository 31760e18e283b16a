import { addSessionSums, type SessionSums, sessionFigures } from '../query/sessions-query.ts';
import type { JsonObject } from './merge-patch.ts';

/** The sums of the sessions that started in one minute (epoch seconds) of the live window. */
export interface SessionMinute {
  readonly minute: number;
  readonly sums: SessionSums;
}

/**
 * The `sessions` channel: sessions started per minute over the live window, and the window's
 * bounce rate, average duration and pages per session, figured as the query API's
 * /v1/metrics/sessions figures them (core/query/sessions-query.ts). Sessions still open go on
 * adding duration and pages to the minute they started in.
 */
export function sessionsSnapshot(windowSeconds: number, minutes: readonly SessionMinute[]): JsonObject {
  const total = minutes.reduce<SessionSums>((sum, m) => addSessionSums(sum, m.sums), {
    sessions: 0,
    bounces: 0,
    durationMs: 0,
    pageViews: 0,
  });
  const figures = sessionFigures(total);
  return {
    window_s: windowSeconds,
    per_minute: minutes.map((m) => ({ t: m.minute * 1000, sessions: m.sums.sessions })),
    sessions: figures.sessions,
    bounces: figures.bounces,
    bounce_rate: figures.bounce_rate,
    avg_duration_s: figures.avg_duration_s,
    pages_per_session: figures.pages_per_session,
  };
}
