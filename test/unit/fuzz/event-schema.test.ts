import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIncomingEvent } from '../../../core/events/event-validation.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { validEvent, wrongTypeValue } from './arbitraries.ts';

const FIELDS = [
  'event_id',
  'type',
  'user_id',
  'anonymous_id',
  'session_id',
  'timestamp',
  'sent_at',
  'page',
  'product',
  'order',
  'properties',
  'context',
] as const;

describe('event schema (property-based)', () => {
  it('accepts every event the schema describes', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const check = checkIncomingEvent(event, 0, INGEST_LIMITS);
        expect(check.ok ? 'ok' : check.rejection).toBe('ok');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any JSON value, and every rejection names a field, a rule and a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 12 }), fc.anything()), fc.nat(999), (value, index) => {
        const check = checkIncomingEvent(value, index, INGEST_LIMITS);
        if (!check.ok) {
          expect(check.rejection.index).toBe(index);
          expect(check.rejection.field.length).toBeGreaterThan(0);
          expect(check.rejection.rule.length).toBeGreaterThan(0);
          expect(check.rejection.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a field of the wrong type, naming that field', () => {
    fc.assert(
      fc.property(validEvent, fc.constantFrom(...FIELDS), wrongTypeValue, (event, field, bad) => {
        const broken = { ...event, [field]: bad };
        // An object where an object belongs may be valid: any properties, an empty page or context.
        const isObject = bad !== null && typeof bad === 'object' && !Array.isArray(bad);
        fc.pre(!(isObject && field === 'properties'));
        fc.pre(!(isObject && ['page', 'context'].includes(field) && Object.keys(bad).length === 0));
        const check = checkIncomingEvent(broken, 3, INGEST_LIMITS);
        expect(check.ok).toBe(false);
        if (!check.ok) expect(check.rejection.field.split('.')[0]).toBe(field);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects unknown top-level fields by name', () => {
    fc.assert(
      fc.property(
        validEvent,
        fc.stringMatching(/^[a-z]{1,12}$/).filter((k) => !(FIELDS as readonly string[]).includes(k)),
        (event, key) => {
          const check = checkIncomingEvent({ ...event, [key]: 1 }, 0, INGEST_LIMITS);
          expect(check.ok ? 'ok' : check.rejection.field).toBe(key);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects properties nested deeper than the limit, and events over the size limit', () => {
    fc.assert(
      fc.property(
        validEvent,
        fc.integer({ min: INGEST_LIMITS.maxPropertiesDepth + 1, max: 200 }),
        (event, depth) => {
          let nested: unknown = 1;
          for (let i = 0; i < depth; i++) nested = i % 2 ? [nested] : { n: nested };
          const deep = checkIncomingEvent({ ...event, properties: { d: nested } }, 0, INGEST_LIMITS);
          expect(deep.ok ? 'ok' : deep.rejection.rule).toBe('maxPropertiesDepth');
        },
      ),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(validEvent, fc.integer({ min: 1, max: 4 }), (event, extra) => {
        const big = { ...event, properties: { blob: 'x'.repeat(INGEST_LIMITS.maxEventBytes * extra) } };
        const check = checkIncomingEvent(big, 0, INGEST_LIMITS);
        expect(check.ok ? 'ok' : check.rejection.rule).toBe('maxEventBytes');
      }),
      { numRuns: 50 },
    );
  });
});
