import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { makeEvent } from '../../unit/ingest/factories.ts';
import { type IngestStack, post, startIngestStack } from './ingest-stack.ts';

let stack: IngestStack | undefined;
let revived: RunningBroker | undefined;

afterEach(async () => {
  await revived?.close();
  revived = undefined;
  await stack?.close();
  stack = undefined;
});

describe('overload and outage', () => {
  it('answers 429 with Retry-After once a write key spends its events', async () => {
    stack = await startIngestStack({ SPATE_RATE_LIMIT_PER_S: '1', SPATE_RATE_LIMIT_BURST: '5' });
    const url = `${stack.gateway.httpUrl}/v1/events`;
    expect(
      (
        await post(
          url,
          Array.from({ length: 5 }, () => makeEvent()),
        )
      ).status,
    ).toBe(200);
    const refused = await post(url, [makeEvent(), makeEvent()]);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: 'rate_limited' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 while Kafka is down, at once once the circuit is open, and recovers', async () => {
    stack = await startIngestStack({
      SPATE_PRODUCE_TIMEOUT_MS: '1500',
      SPATE_BREAKER_FAILURES: '2',
      SPATE_BREAKER_OPEN_MS: '1000',
    });
    const url = `${stack.gateway.httpUrl}/v1/events`;
    expect((await post(url, makeEvent())).status).toBe(200);
    const port = stack.broker.port;
    await stack.broker.close();

    const first = await post(url, makeEvent());
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).not.toBeNull();
    expect(first.json).toMatchObject({ error: 'kafka_unavailable' });
    expect((await post(url, makeEvent())).status).toBe(503);
    // Two failures opened the circuit: the next answer does not wait for Kafka at all.
    const fast = await post(url, makeEvent());
    expect(fast.status).toBe(503);
    expect(String(fast.json.message)).toContain('unavailable');

    revived = await startBroker({
      port,
      dataDir: stack.dataDir,
      logger: { info: () => undefined, warn: () => undefined },
    });
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 200; attempt++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await post(url, makeEvent())).status;
    }
    expect(status).toBe(200);
  });
});
