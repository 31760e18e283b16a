import type { EnrichedEvent } from '../events/enriched-event.ts';
import { SESSION_GAP_MS } from '../query/sessions-query.ts';
import type { StateSnapshot } from './aggregation.ts';
import { visitorOf } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { decodeOpenSession, encodeOpenSession, type OpenSession } from './open-session.ts';
import type { RedisPlan } from './redis-plan.ts';
import { SESSION_FIELDS, sessionKeys } from './session-keys.ts';
import { bucketStart, MINUTE } from './time-buckets.ts';

/** The live sessions panel shows the sessions that started in the last 30 minutes. */
export const LIVE_SESSION_WINDOW_SECONDS = 30 * 60;

/** A minute's figures are kept while the minute is in the live window. */
const minuteExpiry = (minute: number) => minute + MINUTE + LIVE_SESSION_WINDOW_SECONDS;

/** The visitor and session id an event counts under; none for bots and events of no visitor. */
function sessionOf(event: EnrichedEvent): { visitor: string; sessionId: string } | null {
  const visitor = visitorOf(event);
  if (visitor === null || event.is_bot) return null;
  return { visitor, sessionId: event.session_id ?? '' };
}

/** The open sessions a batch's events may continue: read before planning, as funnel progress is. */
export function sessionStateKeys(events: readonly PositionedEvent[]): string[] {
  const keys = new Set<string>();
  for (const { event } of events) {
    const s = sessionOf(event);
    if (s) keys.add(sessionKeys.open(event.project, s.visitor, s.sessionId));
  }
  return [...keys];
}

/** What an event changes in the figures of the minute its session started in. */
interface Change {
  readonly started: number;
  /** Sessions that reached their first page view (0 or 1), and their second (0 or 1). */
  readonly viewed: number;
  readonly multiPage: number;
  readonly durationMs: number;
  readonly pageViews: number;
}

/**
 * The event's session after it, and the change to its start minute's figures. Sessions follow
 * the history's rule (core/query/sessions-query.ts): one per session id, else a new one after a
 * pause of over SESSION_GAP_MS. Events of a visitor meet on one partition in order, so an
 * event rarely comes before its session's first; one that does within the gap extends the
 * session backwards, one older than that (no session id) is a session of its own and leaves the
 * open one alone.
 */
export function continueSession(
  open: OpenSession | null,
  sessionId: string,
  timeMs: number,
  isPageView: boolean,
): { session: OpenSession; change: Change; replaces: boolean } {
  const page = isPageView ? 1 : 0;
  const fresh = {
    session: { startMinute: bucketStart(timeMs, MINUTE), firstMs: timeMs, lastMs: timeMs, pageViews: page },
    change: { started: 1, viewed: page, multiPage: 0, durationMs: 0, pageViews: page },
  };
  if (open === null) return { ...fresh, replaces: true };
  if (sessionId === '' && timeMs > open.lastMs + SESSION_GAP_MS) return { ...fresh, replaces: true };
  if (sessionId === '' && timeMs < open.firstMs - SESSION_GAP_MS) return { ...fresh, replaces: false };
  const session = {
    startMinute: open.startMinute,
    firstMs: Math.min(open.firstMs, timeMs),
    lastMs: Math.max(open.lastMs, timeMs),
    pageViews: open.pageViews + page,
  };
  return {
    session,
    change: {
      started: 0,
      viewed: open.pageViews === 0 && page === 1 ? 1 : 0,
      multiPage: open.pageViews === 1 && page === 1 ? 1 : 0,
      durationMs: session.lastMs - session.firstMs - (open.lastMs - open.firstMs),
      pageViews: page,
    },
    replaces: true,
  };
}

/**
 * Live sessions: per minute, the sessions that started in it, their bounces, their summed
 * duration and page views, kept up to date as their later events arrive; and each open
 * session's state, read before planning and written back in the same atomic step as the
 * counts (behind the offset gate, after the event-id dedup), so a redelivered batch or a
 * client's copy changes nothing.
 *
 * Memory: an open session is one string key of 27 bytes plus the project's name, holding about
 * 45 bytes: 136 bytes in all as Redis's MEMORY USAGE counts it for a 13-character project name
 * (152 for 32 characters; test/integration/aggregation/live-sessions.test.ts checks it stays
 * under 200). It expires 30 minutes (SESSION_GAP_MS) after its last event or its processing,
 * whichever is later, so the hot tier holds the sessions active in the last 30 minutes
 * whatever ids clients send: 10,000 active sessions cost about 1.4 MB. A minute's hash
 * (5 fields) expires once the minute leaves the live window.
 */
export function planSessions(
  events: readonly PositionedEvent[],
  state: StateSnapshot,
  plan: RedisPlan,
  nowMs: number,
): void {
  const nowSec = Math.floor(nowMs / 1000);
  const oldestMs = (nowSec - LIVE_SESSION_WINDOW_SECONDS - MINUTE) * 1000;
  const open = new Map<string, OpenSession | null>();
  for (const { event, timeMs } of events) {
    const s = sessionOf(event);
    // Too old to start or continue a session of the live window: left to the warm tier.
    if (s === null || timeMs < oldestMs) continue;
    const key = sessionKeys.open(event.project, s.visitor, s.sessionId);
    const before = open.has(key) ? open.get(key)! : decodeOpenSession(state.get(key));
    const { session, change, replaces } = continueSession(
      before,
      s.sessionId,
      timeMs,
      event.type === 'page_view',
    );
    if (replaces) open.set(key, session);
    const expireAt = minuteExpiry(session.startMinute);
    if (expireAt <= nowSec) continue;
    const minuteKey = sessionKeys.minute(event.project, session.startMinute);
    plan.hashIncrement(minuteKey, SESSION_FIELDS.started, change.started, expireAt);
    plan.hashIncrement(minuteKey, SESSION_FIELDS.viewed, change.viewed, expireAt);
    plan.hashIncrement(minuteKey, SESSION_FIELDS.multiPage, change.multiPage, expireAt);
    plan.hashIncrement(minuteKey, SESSION_FIELDS.durationMs, change.durationMs, expireAt);
    plan.hashIncrement(minuteKey, SESSION_FIELDS.pageViews, change.pageViews, expireAt);
  }
  for (const [key, session] of open)
    if (session)
      plan.setString(key, encodeOpenSession(session), Math.max(session.lastMs, nowMs) + SESSION_GAP_MS);
}
