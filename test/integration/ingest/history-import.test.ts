import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack();
});

afterAll(async () => {
  await stack?.close();
});

const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

async function post(path: string, body: unknown) {
  const response = await fetch(`${stack.gateway.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { clamped?: unknown } };
}

/** The records of events.raw whose event ids are `ids`, once all of them have arrived. */
async function landed(ids: readonly string[]) {
  const wanted = new Set(ids);
  const records = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) => {
    const seen = new Set(rs.map((r) => JSON.parse(r.value).event_id).filter((id) => wanted.has(id)));
    return seen.size === wanted.size;
  });
  const byId = new Map(records.map((r) => JSON.parse(r.value)).map((e) => [e.event_id, e]));
  return ids.map((id) => byId.get(id));
}

const track = (timestamp: string) => ({
  type: 'track',
  event: 'Order Completed',
  messageId: randomUUID(),
  userId: `history-${randomUUID()}`,
  timestamp,
  properties: { revenue: 12.5 },
});

describe('history through the ingest function', () => {
  it('imports an event dated 1996-03-01 with its date kept, where a live route dates it when received', async () => {
    const imported = track('1996-03-01T10:15:00.000Z');
    // Far enough ahead to be the future on any day this test runs.
    const ahead = track('2999-01-01T00:00:00.000Z');
    const live = { ...track('1996-03-01T10:15:00.000Z'), messageId: randomUUID() };
    // The importer stamps the batch with its own clock, as Segment's libraries do.
    const sentAt = new Date().toISOString();

    const importAnswer = await post('/v1/import', { batch: [imported, ahead], sentAt });
    expect(importAnswer).toMatchObject({ status: 200, json: { accepted: 2, rejected: 0 } });
    expect(importAnswer.json.clamped).toEqual([
      expect.objectContaining({ index: 1, field: 'timestamp', rule: 'maxFutureSkew' }),
    ]);
    const liveAnswer = await post('/v1/batch', { batch: [live], sentAt });
    expect(liveAnswer).toMatchObject({ status: 200, json: { accepted: 1, rejected: 0 } });
    expect(liveAnswer.json.clamped).toBeUndefined();

    const [storedImport, storedAhead, storedLive] = await landed(
      [imported, ahead, live].map((m) => m.messageId),
    );
    expect(storedImport).toMatchObject({ timestamp: '1996-03-01T10:15:00.000Z', timestamp_flag: null });
    expect(storedAhead).toMatchObject({ timestamp: storedAhead.received_at, timestamp_flag: 'future' });
    expect(storedLive).toMatchObject({ timestamp: storedLive.received_at, timestamp_flag: 'before_2000' });
  });

  it('refuses an imported time no tier can hold, naming the field and rule', async () => {
    const answer = await post('/v1/import', { batch: [track('1969-07-20T20:17:00.000Z')] });
    expect(answer).toMatchObject({
      status: 400,
      json: { accepted: 0, rejected: 1, errors: [{ index: 0, field: 'timestamp', rule: 'minimum' }] },
    });
  });
});
