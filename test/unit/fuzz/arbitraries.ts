import fc from 'fast-check';
import type { RequestFacts } from '../../../core/enrichment/enrich-event.ts';
import type { IncomingEvent } from '../../../core/events/event-schema.ts';
import { EVENT_TYPES } from '../../../core/events/event-types.ts';

/** Generators of valid inputs, so properties can state what must hold for every one of them. */

const id = (max: number) => fc.string({ minLength: 1, maxLength: max });
const currency = fc.stringMatching(/^[A-Z]{3}$/);
const money = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });
const epochMs = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) });
export const isoDate = epochMs.map((ms) => new Date(ms).toISOString());
const eventType = fc.oneof(
  fc.constantFrom(...EVENT_TYPES),
  fc.stringMatching(/^[a-z0-9_]{1,64}$/).map((s) => `x_${s}`),
);

export const validEvent: fc.Arbitrary<IncomingEvent> = fc
  .record(
    {
      event_id: fc.uuid(),
      type: eventType,
      user_id: id(256),
      anonymous_id: id(256),
      session_id: id(256),
      timestamp: isoDate,
      sent_at: isoDate,
      page: fc.record(
        {
          url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string({ maxLength: 200 })),
          path: fc.string({ maxLength: 100 }),
          referrer: fc.oneof(fc.webUrl(), fc.string({ maxLength: 100 })),
          title: fc.string({ maxLength: 100 }),
        },
        { requiredKeys: [] },
      ),
      product: fc.record(
        { id: id(128), name: fc.string({ maxLength: 50 }), price: money, currency },
        { requiredKeys: ['id'] },
      ),
      order: fc.record(
        {
          id: id(128),
          revenue: money,
          currency,
          items: fc.array(
            fc.record(
              { product_id: id(128), quantity: fc.integer({ min: 1, max: 100_000 }), price: money },
              { requiredKeys: ['product_id'] },
            ),
            { maxLength: 5 },
          ),
        },
        { requiredKeys: ['id', 'revenue', 'currency'] },
      ),
      properties: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      context: fc.record(
        {
          user_agent: fc.string({ maxLength: 200 }),
          ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 64 })),
          locale: fc.string({ maxLength: 35 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['event_id', 'type'] },
  )
  .chain((event) =>
    event.user_id === undefined && event.anonymous_id === undefined
      ? id(256).map((user_id) => ({ ...event, user_id }))
      : fc.constant(event),
  )
  // JSON in, JSON out: what reaches the handler went through JSON.parse (no -0, no undefined).
  .map((event) => JSON.parse(JSON.stringify(event)) as IncomingEvent);

export const requestFacts: fc.Arbitrary<RequestFacts> = fc.record({
  receivedAtMs: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }),
  sourceIp: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), { nil: undefined }),
  userAgent: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
  project: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  source: fc.constantFrom('spate' as const, 'segment' as const),
});

/** A value of the wrong JSON type for any field: what a careless or hostile client sends. */
export const wrongTypeValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);
