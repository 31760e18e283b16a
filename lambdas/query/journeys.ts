import type { Redis } from 'ioredis';
import { DAY, HOUR } from '../../core/aggregation/time-buckets.ts';
import { withinDeadline } from '../../core/query/within-deadline.ts';
import { readTopJourneys } from '../../io/redis/journey-reads.ts';
import { ParamError, seconds } from './params.ts';

export const MAX_JOURNEYS = 100;
const DEFAULT_JOURNEYS = 10;

/** `limit` from outside: a whole number from 1 to MAX_JOURNEYS. */
export function journeyLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_JOURNEYS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_JOURNEYS)
    throw new ParamError(
      `limit: must be a whole number from 1 to ${MAX_JOURNEYS}, got "${raw}"`,
      'limit',
      'range',
    );
  return n;
}

/**
 * `GET /v1/journeys/top?limit=&window=`: the top paths of the last `window` (1 h to 24 h, the
 * hot tier's day), from the hours it touches; `from` says where the oldest hour starts.
 */
export function topJourneysRoute(deps: { readonly redis: Redis; readonly tierTimeoutMs: number }) {
  return async function topJourneys(
    project: string,
    q: Readonly<Record<string, string | undefined>>,
    nowMs: number,
  ) {
    const window = seconds(q, 'window', HOUR, HOUR, DAY);
    const limit = journeyLimit(q.limit);
    const nowSec = Math.floor(nowMs / 1000);
    const top = await withinDeadline(
      readTopJourneys(deps.redis, project, { fromSec: nowSec - window + 1, toSec: nowSec + 1 }, limit),
      deps.tierTimeoutMs,
      'redis',
    );
    return {
      from: new Date(top.fromSec * 1000).toISOString(),
      to: new Date(nowMs).toISOString(),
      window_s: window,
      journeys: top.journeys,
      exact: top.exact,
      tiers: ['hot'],
      degraded: [],
    };
  };
}
