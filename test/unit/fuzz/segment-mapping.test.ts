import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEventShape } from '../../../core/events/event-validation.ts';
import { planSegment } from '../../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { mapSegmentMessage } from '../../../core/segment/segment-mapping.ts';
import { SEGMENT_TYPES, type SegmentMessage } from '../../../core/segment/segment-message.ts';
import { SPEC_EVENT_TYPES } from '../../../core/segment/spec-events.ts';
import { isoDate, requestFacts } from './arbitraries.ts';

const identity = fc.oneof(
  fc.string({ minLength: 1, maxLength: 256 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
/** Short strings mostly, and now and then one past every length limit. */
const text = (max: number) =>
  fc.oneof(fc.string({ maxLength: max }), fc.string({ minLength: 250, maxLength: max }));
const loose = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const specProperties = fc.record(
  {
    product_id: fc.oneof(text(300), fc.integer()),
    sku: text(300),
    name: fc.oneof(text(400), fc.integer()),
    price: fc.oneof(fc.double(), fc.string({ maxLength: 10 }), fc.integer({ min: -5, max: 2e9 })),
    currency: fc.oneof(fc.stringMatching(/^[a-zA-Z]{3}$/), fc.string({ maxLength: 5 })),
    revenue: fc.oneof(fc.double(), fc.string({ maxLength: 10 })),
    order_id: fc.oneof(text(300), fc.integer()),
    session_id: fc.oneof(text(300), fc.integer()),
    url: fc.oneof(fc.webUrl(), text(3000)),
    products: fc.array(
      fc.oneof(
        fc.record(
          {
            product_id: fc.string({ maxLength: 300 }),
            quantity: fc.oneof(fc.integer(), fc.double()),
            price: fc.double(),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: [] },
);

const segmentMessage: fc.Arbitrary<SegmentMessage> = fc
  .record(
    {
      type: fc.constantFrom(...SEGMENT_TYPES),
      messageId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 256 })),
      userId: fc.oneof(identity, fc.constant(null)),
      anonymousId: fc.oneof(identity, fc.constant(null)),
      event: fc.oneof(
        fc.constantFrom(...Object.keys(SPEC_EVENT_TYPES)),
        fc.string({ minLength: 1, maxLength: 256 }),
      ),
      name: fc.oneof(fc.string({ maxLength: 512 }), fc.constant(null)),
      groupId: identity,
      previousId: identity,
      timestamp: isoDate,
      sentAt: isoDate,
      context: fc.record(
        {
          ip: fc.oneof(fc.ipV4(), text(300)),
          userAgent: text(2000),
          locale: fc.oneof(fc.string({ maxLength: 60 }), fc.string({ minLength: 36, maxLength: 60 })),
          sessionId: fc.oneof(text(300), fc.integer()),
          page: fc.record({ url: text(3000), title: text(600) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      properties: fc.oneof(specProperties, loose),
      traits: loose,
    },
    { requiredKeys: ['type', 'messageId', 'userId'] },
  )
  .filter((m) => m.userId !== null && m.userId !== '')
  .filter((m) => m.type !== 'track' || m.event !== undefined)
  .map((m) => JSON.parse(JSON.stringify(m)) as SegmentMessage);

describe('Segment mapping (property-based)', () => {
  it("maps every well-formed Segment message onto an event that passes Spate's own schema", () => {
    fc.assert(
      fc.property(segmentMessage, fc.stringMatching(/^[a-z]{1,10}$/), (message, project) => {
        const { event } = mapSegmentMessage(message, project);
        const check = checkEventShape(event, 0, INGEST_LIMITS);
        expect(check.ok ? 'ok' : check.rejection).toBe('ok');
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a retried message the same event id, and other projects other ids', () => {
    fc.assert(
      fc.property(segmentMessage, (message) => {
        const a = mapSegmentMessage(message, 'shop').event.event_id;
        expect(mapSegmentMessage(structuredClone(message), 'shop').event.event_id).toBe(a);
        if (!/^[0-9a-f-]{36}$/i.test(message.messageId))
          expect(mapSegmentMessage(message, 'blog').event.event_id).not.toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it('puts only schema-valid events on events.raw from any /v1/batch body', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(segmentMessage, fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 20 }),
        requestFacts,
        (batch, facts) => {
          const plan = planSegment({ batch }, 'batch', facts, INGEST_LIMITS, 'POST /v1/batch');
          expect(plan.accepted + plan.rejections.length).toBe(batch.length);
          const raw = plan.records.filter((r) => r.topic === 'events.raw');
          expect(raw).toHaveLength(plan.accepted);
          for (const record of raw) {
            const event = JSON.parse(record.value) as { event_id: string; session_id: string | null };
            expect(event.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            expect(record.key?.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
