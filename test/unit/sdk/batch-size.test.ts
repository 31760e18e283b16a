import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonBytes, nextBatchSize } from '../../../sdk/batch-cut.ts';
import { SpateClient } from '../../../sdk/client.ts';
import type { DeliveryFailure, SdkEvent, SendResult } from '../../../sdk/types.ts';

let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
const SENT_AT = '2024-05-01T12:00:00.000Z';

/** A transport that answers like a server with a body limit: 413 over `limitBytes`, else 200. */
function limitedServer(limitBytes: number) {
  const requests: { count: number; bytes: number; status: number }[] = [];
  const delivered: SdkEvent[] = [];
  const transport = async (events: readonly SdkEvent[]): Promise<SendResult> => {
    const bytes = jsonBytes(events);
    const status = bytes > limitBytes ? 413 : 200;
    requests.push({ count: events.length, bytes, status });
    if (status === 200) delivered.push(...events);
    return { status };
  };
  return { transport, requests, delivered };
}

const padded = (chars: number) => ({ properties: { blob: 'x'.repeat(chars) } });

describe('nextBatchSize', () => {
  const events = Array.from({ length: 10 }, (_, i) => ({
    event_id: `id-${i}`,
    type: 'click' as const,
    timestamp: SENT_AT,
    properties: { blob: 'é'.repeat(50) },
  }));

  it('stops at the byte cap, counting UTF-8 bytes with the sent_at each event gets', () => {
    const one = jsonBytes([{ ...events[0], sent_at: SENT_AT }]);
    const perEvent = one - 2;
    // Two-byte characters: a count of string length would fit twice as many.
    expect(perEvent).toBeGreaterThan(JSON.stringify(events[0]).length);
    expect(nextBatchSize(events, 10, 2 + perEvent * 3 + 2, SENT_AT)).toBe(3);
    expect(nextBatchSize(events, 10, 2 + perEvent * 3 + 1, SENT_AT)).toBe(2);
    expect(nextBatchSize(events, 4, 1_000_000, SENT_AT)).toBe(4);
  });

  it('always takes one event, so one larger than the cap still goes to the server to be judged', () => {
    expect(nextBatchSize(events, 10, 10, SENT_AT)).toBe(1);
    expect(nextBatchSize([], 10, 10, SENT_AT)).toBe(0);
  });
});

describe('SpateClient batch bytes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('cuts 1,000 events of ~1.1 KB into requests of at most maxBatchBytes', async () => {
    const server = limitedServer(1024 * 1024);
    const client = new SpateClient({ transport: server.transport, newId, flushIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) client.track('click', padded(1000));
    await client.flush();
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
    expect(server.requests.every((r) => r.bytes <= 500_000)).toBe(true);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.delivered).toHaveLength(1000);
  });

  it('splits a batch the server answers 413 in halves until it passes, losing nothing and keeping order', async () => {
    // A proxy in front of the server takes only 100 KB, less than the client's cap.
    const server = limitedServer(100_000);
    const failures: DeliveryFailure[] = [];
    const client = new SpateClient({
      transport: server.transport,
      newId,
      flushIntervalMs: 60_000,
      onFailure: (f) => failures.push(f),
    });
    const sent = Array.from({ length: 400 }, () => client.track('click', padded(1000)));
    await client.flush();
    expect(failures).toEqual([]);
    expect(server.delivered.map((e) => e.event_id)).toEqual(sent);
    expect(server.requests.filter((r) => r.status === 413).length).toBeGreaterThan(0);
    expect(client.queued).toBe(0);
  });

  it('reports one event the server finds too large on its own, and sends the rest', async () => {
    const server = limitedServer(5_000);
    const failures: DeliveryFailure[] = [];
    const client = new SpateClient({
      transport: server.transport,
      newId,
      flushIntervalMs: 60_000,
      onFailure: (f) => failures.push(f),
    });
    client.track('click', padded(100));
    const huge = client.track('click', padded(10_000));
    client.track('click', padded(100));
    await client.flush();
    expect(failures).toEqual([
      expect.objectContaining({ status: 413, reason: 'too large for the server on its own' }),
    ]);
    expect(failures[0]!.events.map((e) => e.event_id)).toEqual([huge]);
    expect(server.delivered).toHaveLength(2);
  });
});
