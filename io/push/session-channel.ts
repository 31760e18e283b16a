import type { Redis } from 'ioredis';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { readLiveSessions } from '../redis/session-reads.ts';
import type { LiveAggregates } from './live-aggregates.ts';

/** The per-project channel of the live sessions (core/aggregation/session-plan.ts). */
export const SESSIONS_CHANNEL = 'sessions';

/**
 * A channel's snapshot now: the sessions channel read from its own keys (io/redis/session-reads.ts),
 * every other channel from the live aggregates.
 */
export function channelSnapshot(
  redis: Redis,
  project: string,
  live: LiveAggregates,
  channel: string,
): Promise<JsonObject | undefined> {
  return channel === SESSIONS_CHANNEL ? readLiveSessions(redis, project, live.nowMs) : live.snapshot(channel);
}
