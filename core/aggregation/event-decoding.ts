import type { EnrichedEvent } from '../events/enriched-event.ts';
import { eventIdentity } from './event-digest.ts';
import { parseJsonRecord } from './json-record.ts';

export type DecodedEvent =
  | { readonly ok: true; readonly event: EnrichedEvent; readonly timeMs: number }
  | { readonly ok: false; readonly reason: string };

const REQUIRED_STRINGS = ['event_id', 'type', 'project', 'timestamp'] as const;

/**
 * Ingest validated the event before it reached events.raw, so only what aggregation relies on
 * is checked again here: a record from an older or foreign producer must not poison a batch.
 */
export function decodeEnrichedEvent(text: string): DecodedEvent {
  const parsed = parseJsonRecord(text);
  if (!parsed.ok) return parsed;
  const { record } = parsed;
  for (const field of REQUIRED_STRINGS) {
    if (typeof record[field] !== 'string' || record[field] === '')
      return { ok: false, reason: `${field}: must be a non-empty string` };
  }
  const timeMs = Date.parse(record.timestamp as string);
  if (!Number.isFinite(timeMs)) return { ok: false, reason: 'timestamp: must be an ISO 8601 date-time' };
  return { ok: true, event: record as unknown as EnrichedEvent, timeMs };
}

/** Who the event is about: the user id, else the anonymous id (the events.raw record key). */
export function visitorOf(event: EnrichedEvent): string | null {
  return event.user_id ?? event.anonymous_id ?? null;
}

export function eventTimeMs(event: EnrichedEvent): number {
  return Date.parse(event.timestamp);
}

/** Revenue in minor units (cents), so sums stay exact integers in Redis and in the tests. */
export function revenueMinorUnits(revenue: number): number {
  return Math.round(revenue * 100);
}

/** (project, event id): what a client's copies of one event share. */
export function identityOfEvent({ event }: { readonly event: EnrichedEvent }): string {
  return eventIdentity(event.project, event.event_id);
}
