import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { makeEvent, makeTweet } from '../../unit/ingest/factories.ts';
import { type IngestStack, post, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

let stack: IngestStack;
let url: (path: string) => string;

beforeAll(async () => {
  stack = await startIngestStack();
  url = (path) => `${stack.gateway.httpUrl}${path}`;
});

afterAll(async () => {
  await stack?.close();
});

const partitionOf = (key: string) => {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: TOPICS.eventsRaw.partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: TOPICS.eventsRaw.name, partitionMetadata, message: { key, value: null } });
};

describe('POST /v1/events', () => {
  it('writes valid events to events.raw keyed and partitioned by user, and rejects to events.dlq', async () => {
    const run = randomUUID();
    const events = [
      makeEvent({ user_id: `alice-${run}` }),
      makeEvent({
        user_id: undefined,
        anonymous_id: `anon-${run}`,
        type: 'add_to_cart',
        product: { id: 'p1', price: 3 },
      }),
      { ...makeEvent({ user_id: `bob-${run}` }), event_id: 'not-a-uuid' },
      makeEvent({
        user_id: `alice-${run}`,
        type: 'purchase',
        order: { id: 'o1', revenue: 9.5, currency: 'EUR' },
      }),
    ];
    const response = await post(url('/v1/events'), events);
    expect(response.status).toBe(207);
    expect(response.json).toMatchObject({
      accepted: 3,
      rejected: 1,
      errors: [{ index: 2, field: 'event_id', rule: 'format' }],
    });

    const wanted = new Set(
      [events[0], events[1], events[3]].map((e) => (e as { event_id: string }).event_id),
    );
    const raw = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) =>
      [...wanted].every((id) => rs.some((r) => r.value.includes(id))),
    );
    const landed = raw.filter((r) => wanted.has(JSON.parse(r.value).event_id));
    expect(landed).toHaveLength(3);
    for (const record of landed) {
      const value = JSON.parse(record.value);
      expect(record.key).toBe(value.user_id ?? value.anonymous_id);
      expect(record.partition).toBe(partitionOf(record.key!));
      expect(value).toMatchObject({ project: 'shop', source: 'spate', ip: '127.0.0.0' });
    }

    const dlq = await readTopic(stack.brokers, TOPICS.eventsDlq.name, (rs) =>
      rs.some((r) => r.value.includes(`bob-${run}`)),
    );
    const letter = JSON.parse(dlq.find((r) => r.value.includes(`bob-${run}`))!.value);
    expect(letter).toMatchObject({
      reason: { index: 2, field: 'event_id', rule: 'format' },
      payload: { event_id: 'not-a-uuid', user_id: `bob-${run}` },
      project: 'shop',
    });
  });

  it('accepts gzip bodies', async () => {
    const response = await fetch(url('/v1/events'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-api-key': WRITE_KEY },
      body: gzipSync(JSON.stringify([makeEvent(), makeEvent()])),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it('answers 401 for a missing or unknown key and writes nothing', async () => {
    const unseen = makeEvent({ user_id: `intruder-${randomUUID()}` });
    expect((await post(url('/v1/events'), unseen, {})).status).toBe(401);
    const unknown = await post(url('/v1/events'), unseen, { authorization: 'Bearer wk_wrong' });
    expect(unknown).toMatchObject({ status: 401, json: { error: 'unauthorized' } });
    const marker = makeEvent({ user_id: `marker-${randomUUID()}` });
    expect((await post(url('/v1/events'), marker)).status).toBe(200);
    const raw = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) =>
      rs.some((r) => r.value.includes(marker.event_id)),
    );
    expect(raw.some((r) => r.value.includes(unseen.event_id))).toBe(false);
  });

  it('answers 413 naming the limit for too many events, and 400 for bad bodies', async () => {
    const many = Array.from({ length: 1001 }, () => makeEvent());
    expect(await post(url('/v1/events'), many)).toMatchObject({
      status: 413,
      json: { error: 'maxEventsPerRequest' },
    });
    expect(await post(url('/v1/events'), '{"event_id":')).toMatchObject({
      status: 400,
      json: { error: 'json' },
    });
    const xml = await post(url('/v1/events'), '<event/>', {
      authorization: `Bearer ${WRITE_KEY}`,
      'content-type': 'application/xml',
    });
    expect(xml).toMatchObject({ status: 400, json: { error: 'content_type' } });
  });

  it('answers 400 listing every rejection when no event is valid', async () => {
    const response = await post(url('/v1/events'), [
      { type: 'page_view' },
      makeEvent({ type: 'nope' as never }),
    ]);
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([
      // The missing event_id is assigned; the missing user is not.
      expect.objectContaining({ index: 0, field: 'user_id', rule: 'required' }),
      expect.objectContaining({ index: 1, field: 'type', rule: 'pattern' }),
    ]);
  });
});

describe('POST /v1/tweets', () => {
  it('writes tweets to tweets.raw keyed by language', async () => {
    const id = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
    const response = await post(url('/v1/tweets'), [makeTweet({ id, lang: 'de' })]);
    expect(response).toMatchObject({ status: 200, json: { accepted: 1 } });
    const tweets = await readTopic(stack.brokers, TOPICS.tweetsRaw.name, (rs) =>
      rs.some((r) => r.value.includes(id)),
    );
    const record = tweets.find((r) => r.value.includes(id))!;
    expect(record.key).toBe('de');
    expect(JSON.parse(record.value)).toMatchObject({ id, project: 'shop' });
  });
});
