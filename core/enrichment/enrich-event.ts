import { correctTimestamp } from '../events/clock-skew.ts';
import type { EnrichedEvent, EventSource } from '../events/enriched-event.ts';
import type { IncomingEvent } from '../events/event-schema.ts';
import { isoTime } from '../events/iso-time.ts';
import { attributeVisit } from './attribution.ts';
import type { GeoLookup } from './geo.ts';
import { anonymiseIp } from './ip-anonymisation.ts';
import { readUserAgent } from './user-agent.ts';

/** What the edge knows about the request an event arrived in. */
export interface RequestFacts {
  readonly receivedAtMs: number;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly project: string;
  readonly source: EventSource;
  readonly geo?: GeoLookup | undefined;
}

/** Extra fields a mapped (Segment) event brings that Spate's own schema has no place for. */
export interface EventExtras {
  readonly traits?: Readonly<Record<string, unknown>> | undefined;
}

/** A validated event made ready for the stream: corrected time, device, attribution, no raw IP. */
export function enrichEvent(
  event: IncomingEvent,
  request: RequestFacts,
  extras: EventExtras = {},
): EnrichedEvent {
  const time = correctTimestamp(event.timestamp, event.sent_at, request.receivedAtMs);
  // A server relaying for a browser reports that browser's address and agent in `context`.
  const rawIp = event.context?.ip ?? request.sourceIp;
  const device = readUserAgent(event.context?.user_agent ?? request.userAgent);
  return {
    event_id: event.event_id.toLowerCase(),
    type: event.type as EnrichedEvent['type'],
    project: request.project,
    source: request.source,
    user_id: event.user_id ?? null,
    anonymous_id: event.anonymous_id ?? null,
    session_id: event.session_id ?? null,
    timestamp: time.timestamp,
    received_at: isoTime(request.receivedAtMs),
    sent_at: event.sent_at ?? null,
    timestamp_flag: time.flag,
    page: event.page ?? null,
    product: event.product ?? null,
    order: event.order ?? null,
    properties: event.properties ?? null,
    user_agent: device.userAgent,
    is_bot: device.isBot,
    ip: anonymiseIp(rawIp),
    geo: rawIp && request.geo ? request.geo(rawIp) : null,
    attribution: attributeVisit(event.page?.url, event.page?.referrer),
    locale: event.context?.locale ?? null,
    traits: extras.traits ?? null,
  };
}

/** The record key on events.raw: per-user order, and users spread evenly over partitions. */
export function eventKey(event: Pick<EnrichedEvent, 'user_id' | 'anonymous_id'>): string {
  return event.user_id ?? event.anonymous_id ?? '';
}
