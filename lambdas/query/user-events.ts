import type { ClickHouseClient } from '@clickhouse/client';
import { WARM_SPAN_MS } from '../../core/query/metric-query.ts';
import { readDeadlineMs, withinDeadline } from '../../core/query/within-deadline.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import {
  readColdUserEvents,
  readWarmUserEvents,
  type UserEvent,
} from '../../io/clickhouse/user-events-reader.ts';
import { isoTime, ParamError } from './params.ts';

export interface UserEventsDeps {
  readonly clickhouse: ClickHouseClient;
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
}

export const USER_EVENTS_PATH = /^\/v1\/users\/([^/]+)\/events$/;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
/** User and anonymous ids as the event schema takes them: any text but control characters. */
const PERSON_ID = /^[^\p{Cc}]{1,256}$/u;
/**
 * How far back past the warm tier one page reads the archive. A person's older events are
 * found by paging on with `before`; a scan of every day the archive holds, for a person seen
 * once, would take seconds on every call.
 */
const COLD_LOOKBACK_MS = 90 * 86_400_000;

function limitOf(q: Readonly<Record<string, string | undefined>>): number {
  const raw = q.limit;
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT)
    throw new ParamError(
      `limit: must be a whole number from 1 to ${MAX_LIMIT}, got "${raw}"`,
      'limit',
      'range',
    );
  return Number(raw);
}

function personOf(rawId: string): string {
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    throw new ParamError('id: must be a URL-encoded user or anonymous id', 'id', 'format');
  }
  if (!PERSON_ID.test(id))
    throw new ParamError(
      'id: a user or anonymous id is 1-256 characters, none of them control characters',
      'id',
      'pattern',
    );
  return id;
}

function propertiesOf(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * Support's view: a person's most recent events across tiers, newest first, before `before`
 * (a page's `next_before`). The warm tier answers the last 30 days; the archive, older events,
 * when the warm tier had fewer than `limit`. The tiers' spans meet at one instant and each
 * tier keeps an event id once, so every event is listed once, with the tier it came from.
 */
export function userEventsRoute(deps: UserEventsDeps) {
  return async (
    project: string,
    rawId: string,
    q: Readonly<Record<string, string | undefined>>,
    nowMs: number,
  ) => {
    const person = personOf(rawId);
    const limit = limitOf(q);
    const beforeMs = Math.min(isoTime(q, 'before', nowMs), nowMs + 1);
    const warmFromMs = nowMs - WARM_SPAN_MS;
    const events: Array<UserEvent & { tier: 'warm' | 'cold' }> = [];
    const degraded: Array<{ tier: string; store: string }> = [];
    const tiers: string[] = [];
    if (beforeMs > warmFromMs) {
      const warm = await withinDeadline(
        readWarmUserEvents(deps.clickhouse, { project, person, fromMs: warmFromMs, beforeMs, limit }),
        deps.tierTimeoutMs,
        'clickhouse',
      ).catch(() => undefined);
      if (warm === undefined) degraded.push({ tier: 'warm', store: 'clickhouse' });
      else {
        tiers.push('warm');
        events.push(...warm.map((e) => ({ ...e, tier: 'warm' as const })));
      }
    }
    if (events.length < limit && degraded.length === 0) {
      const coldBeforeMs = Math.min(beforeMs, warmFromMs);
      const cold = deps.cold
        ? await withinDeadline(
            readColdUserEvents(deps.clickhouse, deps.cold, {
              project,
              person,
              fromMs: coldBeforeMs - COLD_LOOKBACK_MS,
              beforeMs: coldBeforeMs,
              limit: limit - events.length,
            }),
            readDeadlineMs(['cold'], deps.tierTimeoutMs),
            's3',
          ).catch(() => undefined)
        : undefined;
      if (cold === undefined) degraded.push({ tier: 'cold', store: 's3' });
      else {
        tiers.push('cold');
        events.push(...cold.map((e) => ({ ...e, tier: 'cold' as const })));
      }
    }
    const oldest = events.at(-1);
    return {
      id: person,
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        at: new Date(e.atMs).toISOString(),
        tier: e.tier,
        page: e.page === '' ? null : e.page,
        properties: propertiesOf(e.properties),
      })),
      // Where the next page starts: before the oldest event listed (events of that very
      // millisecond beyond the page are rare enough to be left to a larger limit). Null at the
      // end of what was read: the warm tier and the archive's lookback ran out before `limit`,
      // or a tier was down (no page may skip it).
      next_before: events.length === limit && oldest ? new Date(oldest.atMs).toISOString() : null,
      tiers,
      degraded,
    };
  };
}
