import { describe, expect, it } from 'vitest';
import { checkIncomingEvent } from '../../../core/events/event-validation.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { makeEvent } from './factories.ts';

const check = (value: unknown) => checkIncomingEvent(value, 3, INGEST_LIMITS);
const rejection = (value: unknown) => {
  const result = check(value);
  if (result.ok) throw new Error('expected a rejection');
  return result.rejection;
};

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { next: value };
  return value;
}

describe('checkIncomingEvent', () => {
  it('accepts a complete e-commerce event', () => {
    const result = check(
      makeEvent({
        type: 'purchase',
        product: { id: 'p-1', name: 'Mug', category: 'kitchen', price: 12.5, currency: 'EUR' },
        order: {
          id: 'o-1',
          revenue: 25,
          currency: 'EUR',
          items: [{ product_id: 'p-1', quantity: 2, price: 12.5 }],
        },
        properties: { coupon: 'SPRING' },
      }),
    );
    expect(result.ok).toBe(true);
  });

  it('accepts custom x_ types and anonymous users', () => {
    expect(check(makeEvent({ type: 'x_video_played', user_id: undefined, anonymous_id: 'anon-1' })).ok).toBe(
      true,
    );
  });

  it('names index, field and rule of a missing event_id', () => {
    const { event_id: _, ...event } = makeEvent();
    expect(rejection(event)).toMatchObject({ index: 3, field: 'event_id', rule: 'required' });
  });

  it('requires event_id to be a UUID', () => {
    expect(rejection(makeEvent({ event_id: 'abc' }))).toMatchObject({ field: 'event_id', rule: 'format' });
  });

  it('refuses unknown types', () => {
    expect(rejection(makeEvent({ type: 'pageview' as never }))).toMatchObject({
      field: 'type',
      rule: 'pattern',
    });
  });

  it('requires user_id or anonymous_id', () => {
    const result = rejection(makeEvent({ user_id: undefined }));
    expect(result).toMatchObject({ field: 'user_id', rule: 'required' });
    expect(result.message).toContain('anonymous_id');
  });

  it('names nested fields with a dotted path', () => {
    const bad = makeEvent({ product: { id: 'p', price: -1 } });
    expect(rejection(bad)).toMatchObject({ field: 'product.price', rule: 'minimum' });
    expect(rejection(makeEvent({ order: { id: 'o', revenue: 1, currency: 'euro' } }))).toMatchObject({
      field: 'order.currency',
      rule: 'pattern',
    });
  });

  it('names wrong types', () => {
    expect(rejection(makeEvent({ user_id: 42 as never }))).toMatchObject({
      field: 'user_id',
      rule: 'type:string',
    });
  });

  it('refuses unknown top-level fields so typos are not silently lost', () => {
    expect(rejection({ ...makeEvent(), userid: 'u' })).toMatchObject({
      field: 'userid',
      rule: 'additionalProperties',
    });
  });

  it('refuses timestamps that are not RFC 3339', () => {
    expect(rejection(makeEvent({ timestamp: 'yesterday' }))).toMatchObject({
      field: 'timestamp',
      rule: 'format',
    });
  });

  it('allows properties 8 deep and refuses 9', () => {
    expect(check(makeEvent({ properties: nested(8) })).ok).toBe(true);
    expect(rejection(makeEvent({ properties: nested(9) }))).toMatchObject({
      field: 'properties',
      rule: 'maxPropertiesDepth',
    });
  });

  it('refuses events over 32 KB', () => {
    const result = rejection(makeEvent({ properties: { blob: 'x'.repeat(33 * 1024) } }));
    expect(result).toMatchObject({ field: '$', rule: 'maxEventBytes' });
    expect(result.message).toContain(String(INGEST_LIMITS.maxEventBytes));
  });

  it('refuses non-objects', () => {
    expect(rejection('page_view')).toMatchObject({ field: '$', rule: 'type:object' });
  });
});
