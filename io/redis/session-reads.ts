import type { Redis } from 'ioredis';
import { SESSION_FIELDS, sessionKeys } from '../../core/aggregation/session-keys.ts';
import { LIVE_SESSION_WINDOW_SECONDS } from '../../core/aggregation/session-plan.ts';
import { bucketStart, MINUTE } from '../../core/aggregation/time-buckets.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { type SessionMinute, sessionsSnapshot } from '../../core/push/sessions-snapshot.ts';

/**
 * The live window's minutes, oldest first, each with the sums of the sessions that started in
 * it (core/aggregation/session-plan.ts): the current minute and the 29 before it, one HGETALL
 * each, in one round trip.
 */
export async function readSessionMinutes(
  redis: Redis,
  project: string,
  nowMs: number,
): Promise<SessionMinute[]> {
  const last = bucketStart(nowMs, MINUTE);
  const minutes = Array.from(
    { length: LIVE_SESSION_WINDOW_SECONDS / MINUTE },
    (_, i) => last - (LIVE_SESSION_WINDOW_SECONDS / MINUTE - 1 - i) * MINUTE,
  );
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.hgetall(sessionKeys.minute(project, m));
  const replies = (await pipeline.exec()) ?? [];
  return minutes.map((minute, i) => {
    const [err, value] = replies[i] ?? [null, {}];
    if (err) throw err;
    const hash = (value ?? {}) as Record<string, string>;
    const field = (name: string) => Number(hash[name] ?? 0);
    return {
      minute,
      sums: {
        sessions: field(SESSION_FIELDS.started),
        // A bounce: a session with a page view and not a second one.
        bounces: field(SESSION_FIELDS.viewed) - field(SESSION_FIELDS.multiPage),
        durationMs: field(SESSION_FIELDS.durationMs),
        pageViews: field(SESSION_FIELDS.pageViews),
      },
    };
  });
}

/** The `sessions` channel's snapshot of a project now. */
export async function readLiveSessions(redis: Redis, project: string, nowMs: number): Promise<JsonObject> {
  return sessionsSnapshot(LIVE_SESSION_WINDOW_SECONDS, await readSessionMinutes(redis, project, nowMs));
}
