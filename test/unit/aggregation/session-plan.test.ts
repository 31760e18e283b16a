import { describe, expect, it } from 'vitest';
import { decodeOpenSession, encodeOpenSession } from '../../../core/aggregation/open-session.ts';
import { continueSession } from '../../../core/aggregation/session-plan.ts';

const T = Date.UTC(2026, 0, 15, 10, 0, 0);
const MIN = 60_000;
const open = { startMinute: T / 1000, firstMs: T, lastMs: T + 5 * MIN, pageViews: 1 };

describe('continueSession', () => {
  it('starts a session at a visitor’s first event, a bounce if it is a page view', () => {
    expect(continueSession(null, '', T + 30_500, true)).toEqual({
      session: { startMinute: T / 1000, firstMs: T + 30_500, lastMs: T + 30_500, pageViews: 1 },
      change: { started: 1, viewed: 1, multiPage: 0, durationMs: 0, pageViews: 1 },
      replaces: true,
    });
  });

  it('continues within 30 minutes: no longer a bounce, longer by the time since its last event', () => {
    expect(continueSession(open, '', T + 35 * MIN, true)).toEqual({
      session: { ...open, lastMs: T + 35 * MIN, pageViews: 2 },
      change: { started: 0, viewed: 0, multiPage: 1, durationMs: 30 * MIN, pageViews: 1 },
      replaces: true,
    });
  });

  it('counts a session’s first and second page views once each, whatever follows', () => {
    const two = { ...open, pageViews: 2 };
    expect(continueSession(two, '', T + 6 * MIN, true).change).toMatchObject({
      viewed: 0,
      multiPage: 0,
      pageViews: 1,
    });
    const none = { ...open, pageViews: 0 };
    expect(continueSession(none, '', T + 6 * MIN, true).change).toMatchObject({ viewed: 1, multiPage: 0 });
  });

  it('starts a new session after a pause of over 30 minutes, unless the session id says otherwise', () => {
    const later = T + 5 * MIN + 30 * MIN + 1;
    expect(continueSession(open, '', later, false)).toMatchObject({
      session: { startMinute: Math.floor(later / MIN) * 60, firstMs: later },
      change: { started: 1, viewed: 0, multiPage: 0, durationMs: 0, pageViews: 0 },
    });
    expect(continueSession(open, 's-1', later, false)).toMatchObject({
      session: { startMinute: T / 1000, lastMs: later },
      change: { started: 0, durationMs: 30 * MIN + 1 },
    });
  });

  it('counts an event over 30 minutes older than the open session as a session of its own', () => {
    const late = T - 31 * MIN;
    expect(continueSession(open, '', late, true)).toMatchObject({
      change: { started: 1, viewed: 1 },
      replaces: false,
    });
    // Within the gap it extends the session backwards, under the minute it started in.
    expect(continueSession(open, '', T - 10 * MIN, false)).toMatchObject({
      session: { startMinute: T / 1000, firstMs: T - 10 * MIN },
      change: { started: 0, durationMs: 10 * MIN },
    });
  });
});

describe('open sessions as stored', () => {
  it('round-trip, and anything else reads as none', () => {
    expect(decodeOpenSession(encodeOpenSession(open))).toEqual(open);
    for (const text of [null, '', '1,2,3', 'a,b,c,d', '1,2,3,4,5'])
      expect(decodeOpenSession(text)).toBeNull();
  });
});
