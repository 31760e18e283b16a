import type { EventExtras } from '../enrichment/enrich-event.ts';
import type { IncomingEvent, Page } from '../events/event-schema.ts';
import { eventIdFromMessageId } from './message-id.ts';
import type { SegmentMessage } from './segment-message.ts';
import { customType, dropUndefined, orderFrom, productFrom, SPEC_EVENT_TYPES } from './spec-events.ts';

export interface MappedSegmentEvent {
  readonly event: IncomingEvent;
  readonly extras: EventExtras;
}

type Loose = Readonly<Record<string, unknown>>;
const asObject = (v: unknown): Loose | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;
const asString = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;
const identity = (v: unknown): string | undefined =>
  typeof v === 'number' ? String(v) : typeof v === 'string' && v.length > 0 ? v : undefined;

/**
 * A Segment message in Spate's form. `batchSentAt` is the batch envelope's `sentAt`, which
 * Segment clients set once per request instead of per message.
 */
export function mapSegmentMessage(
  message: SegmentMessage,
  project: string,
  batchSentAt?: string,
): MappedSegmentEvent {
  const context = asObject(message.context) ?? {};
  const properties = asObject(message.properties) ?? {};
  const contextPage = asObject(context.page) ?? {};
  const base: IncomingEvent = dropUndefined({
    event_id: eventIdFromMessageId(message.messageId, project),
    type: 'x_event',
    user_id: identity(message.userId),
    anonymous_id: identity(message.anonymousId),
    // Spate's schema holds session ids to 256 characters; Segment sets no limit.
    session_id: (identity(properties.session_id) ?? identity(context.sessionId))?.slice(0, 256),
    timestamp: message.timestamp,
    sent_at: message.sentAt ?? batchSentAt,
    page: pageFrom(contextPage, message.type === 'page' ? properties : {}),
    properties: Object.keys(properties).length > 0 ? { ...properties } : undefined,
    context: dropUndefined({
      user_agent: asString(context.userAgent, 1024),
      ip: asString(context.ip, 64),
      locale: asString(context.locale, 35),
    }),
  });
  switch (message.type) {
    case 'track':
      return { event: trackEvent(base, message.event ?? 'event', properties), extras: {} };
    case 'page':
      return { event: withName({ ...base, type: 'page_view' }, message.name), extras: {} };
    case 'screen':
      return { event: withName({ ...base, type: 'x_screen' }, message.name), extras: {} };
    case 'identify':
      return { event: { ...base, type: 'x_identify' }, extras: { traits: asObject(message.traits) } };
    case 'group':
      return {
        event: {
          ...base,
          type: 'x_group',
          properties: { ...properties, group_id: identity(message.groupId) },
        },
        extras: { traits: asObject(message.traits) },
      };
    case 'alias':
      return {
        event: {
          ...base,
          type: 'x_alias',
          properties: { ...properties, previous_id: identity(message.previousId) },
        },
        extras: {},
      };
  }
}

function trackEvent(base: IncomingEvent, name: string, properties: Loose): IncomingEvent {
  // Own keys only: `constructor` or `toString` as an event name must not find Object's methods.
  const type = Object.hasOwn(SPEC_EVENT_TYPES, name) ? SPEC_EVENT_TYPES[name] : undefined;
  if (type === 'purchase' || type === 'checkout_started') {
    return { ...base, type, order: orderFrom(properties, base.event_id) };
  }
  if (type !== undefined) {
    const product = productFrom(properties);
    return dropUndefined({ ...base, type, product });
  }
  return { ...base, type: customType(name) };
}

function withName(event: IncomingEvent, name: string | null | undefined): IncomingEvent {
  if (!name) return event;
  return { ...event, properties: { ...event.properties, name } };
}

function pageFrom(contextPage: Loose, properties: Loose): Page | undefined {
  const page = dropUndefined({
    url: asString(properties.url ?? contextPage.url, 2048),
    path: asString(properties.path ?? contextPage.path, 1024),
    referrer: asString(properties.referrer ?? contextPage.referrer, 2048),
    title: asString(properties.title ?? contextPage.title, 512),
  });
  return Object.keys(page).length > 0 ? page : undefined;
}
