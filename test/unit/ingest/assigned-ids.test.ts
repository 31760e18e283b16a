import { describe, expect, it } from 'vitest';
import { withAssignedId } from '../../../core/events/assigned-id.ts';
import { planEvents, planSegment } from '../../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { TOPICS } from '../../../core/topics.ts';
import { CHROME_UA, makeEvent } from './factories.ts';

const facts = {
  receivedAtMs: Date.parse('2024-05-01T12:00:00.000Z'),
  sourceIp: '203.0.113.77',
  userAgent: CHROME_UA,
  project: 'shop',
  source: 'spate' as const,
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const written = (plan: ReturnType<typeof planEvents>) =>
  plan.records.filter((r) => r.topic === TOPICS.eventsRaw.name).map((r) => JSON.parse(r.value));

describe('ids assigned on arrival', () => {
  it('gives each event sent without event_id its own random UUID', () => {
    const { event_id: _, ...withoutId } = makeEvent({ user_id: 'u-1' });
    const plan = planEvents([withoutId, withoutId], facts, INGEST_LIMITS, 'POST /v1/events');
    expect(plan.rejections).toEqual([]);
    const ids = written(plan).map((e) => e.event_id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('keeps the id a client sent, and still judges a malformed one', () => {
    const event = makeEvent();
    expect(written(planEvents(event, facts, INGEST_LIMITS, 'r'))[0].event_id).toBe(event.event_id);
    for (const bad of [null, '', 'abc']) {
      const plan = planEvents({ ...event, event_id: bad }, facts, INGEST_LIMITS, 'r');
      expect(plan.rejections).toEqual([expect.objectContaining({ field: 'event_id' })]);
    }
  });

  it('gives a Segment message without messageId an id, and keeps a sent one stable across retries', () => {
    const message = { type: 'track', event: 'Signed Up', userId: 'u-9' };
    const first = written(planSegment({ batch: [message] }, 'batch', facts, INGEST_LIMITS, 'r'));
    const again = written(planSegment({ batch: [message] }, 'batch', facts, INGEST_LIMITS, 'r'));
    expect(first[0].event_id).toMatch(UUID);
    expect(first[0].event_id).not.toBe(again[0].event_id);

    const sent = { ...message, messageId: 'ajs-next-1733356800000-abc' };
    const once = written(planSegment(sent, 'track', facts, INGEST_LIMITS, 'r'));
    const retried = written(planSegment(sent, 'track', facts, INGEST_LIMITS, 'r'));
    expect(once[0].event_id).toBe(retried[0].event_id);
  });

  it('leaves anything that is not an object to the shape rules', () => {
    const id = () => 'fixed';
    expect(withAssignedId([1], 'event_id', id)).toEqual([1]);
    expect(withAssignedId('x', 'event_id', id)).toBe('x');
    expect(withAssignedId({ a: 1 }, 'event_id', id)).toEqual({ a: 1, event_id: 'fixed' });
  });
});
