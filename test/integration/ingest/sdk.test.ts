import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { createNodeClient } from '../../../sdk/node.ts';
import type { DeliveryFailure } from '../../../sdk/types.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A Node client of the local stack that flushes only when asked, failures collected. */
function clientOf(
  failures: DeliveryFailure[],
  options: Partial<Parameters<typeof createNodeClient>[0]> = {},
) {
  return createNodeClient({
    endpoint: stack.gateway.httpUrl,
    writeKey: WRITE_KEY,
    flushIntervalMs: 60_000,
    flushOnExit: false,
    onFailure: (f) => failures.push(f),
    ...options,
  });
}

describe('the Node SDK against the ingest API', () => {
  it('batches track/page/identify and delivers them on shutdown', async () => {
    const failures: DeliveryFailure[] = [];
    const client = clientOf(failures);
    const userId = `sdk-${randomUUID()}`;
    client.identify(userId, { plan: 'team' });
    client.page({ url: 'https://shop.example/', path: '/' });
    client.track('add_to_cart', { product: { id: 'sku-9', price: 4.5, currency: 'EUR' } });
    expect(client.queued).toBe(3);
    await client.shutdown();
    expect(failures).toEqual([]);
    expect(client.queued).toBe(0);

    const records = await readTopic(
      stack.brokers,
      TOPICS.eventsRaw.name,
      (rs) => rs.filter((r) => r.key === userId).length >= 3,
    );
    const mine = records.filter((r) => r.key === userId).map((r) => JSON.parse(r.value));
    expect(mine.map((e) => e.type)).toEqual(['x_identify', 'page_view', 'add_to_cart']);
    expect(mine[0]).toMatchObject({ properties: { plan: 'team' }, source: 'spate' });
  });

  it('reports a batch the server refuses as bad, without retrying it', async () => {
    const failures: DeliveryFailure[] = [];
    const client = createNodeClient({
      endpoint: stack.gateway.httpUrl,
      writeKey: 'wk_not_a_key',
      flushOnExit: false,
      onFailure: (f) => failures.push(f),
    });
    client.track('click');
    await client.shutdown();
    expect(failures).toEqual([expect.objectContaining({ status: 401, reason: 'refused by the server' })]);
  });

  it("delivers 1,000 events of ~1.1 KB, over the server's 1 MiB body limit together, all of them", async () => {
    for (const maxBatchBytes of [undefined, 4 * 1024 * 1024]) {
      // The default cap keeps requests under the limit; a cap above it meets 413s and splits.
      const failures: DeliveryFailure[] = [];
      const client = clientOf(failures, maxBatchBytes ? { maxBatchBytes } : {});
      const userId = `sdk-big-${randomUUID()}`;
      client.identify(userId);
      for (let i = 0; i < 999; i++) client.track('x_scrolled', { properties: { i, note: 'n'.repeat(1000) } });
      await client.shutdown();
      expect(failures).toEqual([]);
      const records = await readTopic(
        stack.brokers,
        TOPICS.eventsRaw.name,
        (rs) => rs.filter((r) => r.key === userId).length >= 1000,
      );
      expect(
        new Set(records.filter((r) => r.key === userId).map((r) => JSON.parse(r.value).event_id)).size,
      ).toBe(1000);
    }
  });

  it('reports the one event the server rejects and delivers the others of its batch', async () => {
    const failures: DeliveryFailure[] = [];
    const client = clientOf(failures);
    const userId = `sdk-mixed-${randomUUID()}`;
    client.identify(userId);
    const bad = client.track('Not A Type' as 'click');
    client.track('click');
    await client.shutdown();
    expect(failures).toEqual([expect.objectContaining({ status: 207 })]);
    expect(failures[0]!.events.map((e) => e.event_id)).toEqual([bad]);
    expect(failures[0]!.reason).toMatch(/^type pattern/);
    const records = await readTopic(
      stack.brokers,
      TOPICS.eventsRaw.name,
      (rs) => rs.filter((r) => r.key === userId).length >= 2,
    );
    expect(records.filter((r) => r.key === userId).map((r) => JSON.parse(r.value).type)).toEqual([
      'x_identify',
      'click',
    ]);
  });
});
