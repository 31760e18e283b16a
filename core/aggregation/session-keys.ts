import { createHash } from 'node:crypto';
import { KEY_ROOT } from './redis-keys.ts';

/**
 * The hot tier's session keys (the live sessions of core/aggregation/session-plan.ts):
 *
 * | key                          | type   | holds                                                   | TTL                          |
 * |------------------------------|--------|---------------------------------------------------------|------------------------------|
 * | {sp}:{p}:ss:o:{digest}       | string | an open session `startMinute,firstMs,lastMs,pageViews`  | 30 min after its last event  |
 * | {sp}:{p}:ss:m:{min}          | hash   | sessions started in the minute: n; v, m (of those, with 1+ and 2+ page views); d (ms); p (page views) | 30 min after the minute |
 *
 * A session is named by a digest of (visitor, session id) rather than the ids themselves, so
 * its key has one length whatever the client sends (ids may be 256 characters each).
 */
export const sessionKeys = {
  open: (project: string, visitor: string, sessionId: string) =>
    `${KEY_ROOT}:${project}:ss:o:${sessionDigest(visitor, sessionId)}`,
  minute: (project: string, minute: number) => `${KEY_ROOT}:${project}:ss:m:${minute}`,
} as const;

/** 16 characters (96 bits) of SHA-256: two live sessions of one project collide about never. */
function sessionDigest(visitor: string, sessionId: string): string {
  return createHash('sha256').update(`${visitor}\u0000${sessionId}`).digest('base64url').slice(0, 16);
}

/**
 * The fields of a minute's hash. Bounces are kept as two counts that only grow (sessions with a
 * page view, sessions with two or more), not as one that a second page view takes back: every
 * field then only ever grows, so the hash holds the same fields however the stream was cut
 * into batches (a +1 and a -1 in one batch add to nothing, in two they leave a field at 0).
 */
export const SESSION_FIELDS = {
  started: 'n',
  viewed: 'v',
  multiPage: 'm',
  durationMs: 'd',
  pageViews: 'p',
} as const;
