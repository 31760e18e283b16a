import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startFixture, topic } from './broker-fixture.ts';

let fixture: BrokerFixture;
beforeAll(async () => {
  fixture = await startFixture({ topics: [topic('idle', 1)] });
});
afterAll(() => fixture.stop());

/** Timers armed by kafkajs's request queue while `during` runs. */
async function requestQueueTimers(during: () => Promise<void>): Promise<number> {
  const original = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    if (new Error().stack?.includes('requestQueue')) armed += 1;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await during();
  } finally {
    globalThis.setTimeout = original;
  }
  return armed;
}

describe('an idle kafkajs client (patches/kafkajs+2.2.4.patch)', () => {
  it('arms no request-queue timer while nothing waits to be sent', async () => {
    const producer = fixture.kafka('idle-producer').producer();
    await producer.connect();
    await producer.send({ topic: 'idle', messages: [{ value: 'one' }] });
    try {
      // Unpatched, the queue re-arms a 1 ms timer forever: hundreds in half a second.
      const armed = await requestQueueTimers(() => new Promise((r) => setTimeout(r, 500)));
      expect(armed).toBeLessThan(5);
      // And it still sends what it is given afterwards.
      await producer.send({ topic: 'idle', messages: [{ value: 'two' }] });
    } finally {
      await producer.disconnect();
    }
    const admin = fixture.kafka('idle-admin').admin();
    await admin.connect();
    const [offsets] = await admin.fetchTopicOffsets('idle');
    await admin.disconnect();
    expect(offsets?.high).toBe('2');
  });
});
