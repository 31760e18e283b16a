import { describe, expect, it } from 'vitest';
import { type DeadLetter, planEvents, planSegment, planTweets } from '../../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { TOPICS } from '../../../core/topics.ts';
import { CHROME_UA, makeEvent, makeTweet } from './factories.ts';

const facts = {
  receivedAtMs: Date.parse('2024-05-01T12:00:00.000Z'),
  sourceIp: '203.0.113.77',
  userAgent: CHROME_UA,
  project: 'shop',
  source: 'spate' as const,
};

describe('planEvents', () => {
  it('accepts valid events even when others in the batch are rejected, and dead-letters the rest', () => {
    const bad = { ...makeEvent(), event_id: 'nope' };
    const plan = planEvents(
      [makeEvent({ user_id: 'u-1' }), bad, makeEvent({ user_id: 'u-2' })],
      facts,
      INGEST_LIMITS,
      'POST /v1/events',
    );
    expect(plan.accepted).toBe(2);
    expect(plan.rejections).toEqual([
      expect.objectContaining({ index: 1, field: 'event_id', rule: 'format' }),
    ]);
    const raw = plan.records.filter((r) => r.topic === TOPICS.eventsRaw.name);
    expect(raw.map((r) => r.key)).toEqual(['u-1', 'u-2']);
    const dlq = plan.records.filter((r) => r.topic === TOPICS.eventsDlq.name);
    expect(dlq).toHaveLength(1);
    const letter = JSON.parse(dlq[0]!.value) as DeadLetter;
    expect(letter).toMatchObject({ reason: { index: 1, rule: 'format' }, payload: bad, project: 'shop' });
  });

  it('accepts one event sent without an array', () => {
    expect(planEvents(makeEvent(), facts, INGEST_LIMITS, 'r').accepted).toBe(1);
  });

  it('refuses more than 1,000 events with 413 naming the limit', () => {
    const events = Array.from({ length: 1001 }, () => makeEvent());
    expect(() => planEvents(events, facts, INGEST_LIMITS, 'r')).toThrow(
      expect.objectContaining({ status: 413, code: 'maxEventsPerRequest' }),
    );
  });

  it('refuses bodies that hold no events', () => {
    expect(() => planEvents([], facts, INGEST_LIMITS, 'r')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => planEvents('x', facts, INGEST_LIMITS, 'r')).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});

describe('planSegment', () => {
  it('maps a batch, merging the shared context and using the envelope sentAt', () => {
    const plan = planSegment(
      {
        batch: [
          {
            type: 'track',
            event: 'Product Added',
            messageId: 'm1',
            userId: 'u',
            properties: { product_id: 'p' },
          },
          { type: 'identify', messageId: 'm2', userId: 'u', traits: { plan: 'pro' } },
          { type: 'track', messageId: 'm3' },
        ],
        context: { ip: '198.51.100.7' },
        sentAt: '2024-05-01T12:00:00.000Z',
      },
      'batch',
      { ...facts, source: 'segment' },
      INGEST_LIMITS,
      'POST /v1/batch',
    );
    expect(plan.accepted).toBe(2);
    expect(plan.rejections).toEqual([
      expect.objectContaining({ index: 2, field: 'userId', rule: 'required' }),
    ]);
    const first = JSON.parse(plan.records[0]!.value);
    expect(first).toMatchObject({
      type: 'add_to_cart',
      source: 'segment',
      ip: '198.51.100.0',
      product: { id: 'p' },
    });
    expect(JSON.parse(plan.records[1]!.value)).toMatchObject({ type: 'x_identify', traits: { plan: 'pro' } });
  });

  it('takes the type from the route on single calls', () => {
    const plan = planSegment(
      { messageId: 'm', userId: 'u', name: 'Home' },
      'page',
      facts,
      INGEST_LIMITS,
      'POST /v1/page',
    );
    expect(JSON.parse(plan.records[0]!.value).type).toBe('page_view');
  });

  it('names the Segment field that broke a rule', () => {
    const plan = planSegment(
      { batch: [{ type: 'launch', messageId: 'm', userId: 'u' }] },
      'batch',
      facts,
      INGEST_LIMITS,
      'r',
    );
    expect(plan.rejections[0]).toMatchObject({ index: 0, field: 'type' });
  });
});

describe('planTweets', () => {
  it('keys tweets by language, else first hashtag', () => {
    const plan = planTweets(
      [makeTweet(), makeTweet({ lang: undefined, hashtags: ['Launch'] }), makeTweet({ text: '' })],
      facts,
      INGEST_LIMITS,
      'POST /v1/tweets',
    );
    expect(plan.accepted).toBe(2);
    const tweets = plan.records.filter((r) => r.topic === TOPICS.tweetsRaw.name);
    expect(tweets.map((r) => r.key)).toEqual(['en', 'launch']);
    expect(plan.rejections).toEqual([
      expect.objectContaining({ index: 2, field: 'text', rule: 'minLength' }),
    ]);
  });
});

describe('event size in a batch', () => {
  it('rejects an oversized valid event with maxEventBytes and keeps the others', () => {
    const big = makeEvent({ properties: { blob: 'é'.repeat(17 * 1024) } });
    const plan = planEvents([makeEvent(), big], facts, INGEST_LIMITS, 'r');
    expect(plan.accepted).toBe(1);
    expect(plan.rejections).toEqual([
      expect.objectContaining({ index: 1, field: '$', rule: 'maxEventBytes' }),
    ]);
  });

  it('accepts a large event just under the limit', () => {
    const plan = planEvents(
      [makeEvent({ properties: { blob: 'x'.repeat(30 * 1024) } })],
      facts,
      INGEST_LIMITS,
      'r',
    );
    expect(plan.accepted).toBe(1);
  });
});
