import { createHash } from 'node:crypto';
import { KEY_ROOT } from './redis-keys.ts';

/**
 * The hot tier's session keys (the live sessions of core/aggregation/session-plan.ts):
 *
 * | key                          | type   | holds                                                   | TTL                          |
 * |------------------------------|--------|---------------------------------------------------------|------------------------------|
 * | {sp}:{p}:ss:u:{digest}       | string | an open session `startMinute,firstMs,lastMs,pageViews`  | 30 min after its last event  |
 * | {sp}:{p}:ss:m:{min}          | hash   | sessions started in the minute: n, b (bounces), d (ms), p (page views) | 30 min after the minute |
 *
 * A session is named by a digest of (visitor, session id) rather than the ids themselves, so
 * its key has one length whatever the client sends (ids may be 256 characters each).
 */
export const sessionKeys = {
  open: (project: string, visitor: string, sessionId: string) =>
    `${KEY_ROOT}:${project}:ss:u:${sessionDigest(visitor, sessionId)}`,
  minute: (project: string, minute: number) => `${KEY_ROOT}:${project}:ss:m:${minute}`,
} as const;

/** 16 characters (96 bits) of SHA-256: two live sessions of one project collide about never. */
function sessionDigest(visitor: string, sessionId: string): string {
  return createHash('sha256').update(`${visitor}\u0000${sessionId}`).digest('base64url').slice(0, 16);
}

/** The fields of a minute's hash. */
export const SESSION_FIELDS = { started: 'n', bounces: 'b', durationMs: 'd', pageViews: 'p' } as const;
