import type { MSKEvent } from 'aws-lambda';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EventType } from '../../../core/events/event-types.ts';

let counter = 0;

/** An enriched event as ingest writes it to events.raw, with overridable fields. */
export function enrichedEvent(overrides: Partial<EnrichedEvent> & { type?: EventType } = {}): EnrichedEvent {
  counter += 1;
  const timestamp = overrides.timestamp ?? '2026-01-15T10:00:00.000Z';
  return {
    event_id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    type: 'page_view',
    project: 'shop',
    source: 'spate',
    user_id: 'u1',
    anonymous_id: null,
    session_id: null,
    timestamp,
    received_at: timestamp,
    sent_at: null,
    timestamp_flag: null,
    page: { path: '/', url: 'https://shop.example/' },
    product: null,
    order: null,
    properties: null,
    user_agent: { browser: 'Chrome', browser_version: '120', os: 'Linux', device_type: 'desktop' },
    is_bot: false,
    ip: '192.0.2.0',
    geo: null,
    attribution: {
      source: '(direct)',
      medium: '(none)',
      campaign: null,
      term: null,
      content: null,
      click_ids: {},
    },
    locale: 'en-US',
    traits: null,
    ...overrides,
  };
}

/** An MSK event holding the given events on one topic-partition, from `firstOffset` on. */
export function mskEventOf(
  events: readonly (EnrichedEvent | string)[],
  options: { topic?: string; partition?: number; firstOffset?: number } = {},
): MSKEvent {
  const topic = options.topic ?? 'events.raw';
  const partition = options.partition ?? 0;
  const first = options.firstOffset ?? 0;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:local:000000000000:cluster/spate-local/x',
    bootstrapServers: '127.0.0.1:9092',
    records: {
      [`${topic}-${partition}`]: events.map((e, i) => ({
        topic,
        partition,
        offset: first + i,
        timestamp: 0,
        timestampType: 'CREATE_TIME' as const,
        key: Buffer.from('k').toString('base64'),
        value: Buffer.from(typeof e === 'string' ? e : JSON.stringify(e)).toString('base64'),
        headers: [],
      })),
    },
  };
}
