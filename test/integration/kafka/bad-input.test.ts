import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../../local/kafka/protocol/api-keys.ts';
import { type BrokerFixture, startFixture, topic } from './broker-fixture.ts';
import { RawClient } from './raw-client.ts';

function frame(size: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(size);
  return Buffer.concat([head, body]);
}

describe('bad input', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startFixture({ topics: [topic('sturdy', 1)] });
  });
  afterAll(() => fx.stop());

  async function brokerStillServes(): Promise<void> {
    const producer = fx.kafka().producer();
    await producer.connect();
    const [ack] = await producer.send({ topic: 'sturdy', acks: -1, messages: [{ value: 'still here' }] });
    await producer.disconnect();
    expect(ack?.errorCode).toBe(0);
  }

  it('closes clients that send random bytes, with a log line each, and serves the others', async () => {
    const bystander = fx.kafka().producer();
    await bystander.connect();
    for (let i = 0; i < 20; i++) {
      const raw = await RawClient.open(fx.broker.port);
      raw.write(randomBytes(64 + i * 13));
      // Random bytes may still frame a request that gets answered; most are closed at once.
      await Promise.race([raw.closed, new Promise((r) => setTimeout(r, 300))]);
      raw.close();
    }
    const [ack] = await bystander.send({ topic: 'sturdy', messages: [{ value: 'bystander' }] });
    expect(ack?.errorCode).toBe(0);
    await bystander.disconnect();
    expect(fx.logLines.filter((l) => l.startsWith('closing connection from')).length).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('closes a connection at once on an oversized or negative frame size', async () => {
    for (const size of [200 * 1024 * 1024, -5]) {
      const before = fx.logLines.length;
      const raw = await RawClient.open(fx.broker.port);
      raw.write(frame(size, Buffer.from('abc')));
      await raw.closed;
      expect(fx.logLines.slice(before).filter((l) => l.includes(`frame size ${size}`))).toHaveLength(1);
    }
    await brokerStillServes();
  });

  it('survives a truncated frame: a header cut short, and a client that hangs up mid-frame', async () => {
    const cut = await RawClient.open(fx.broker.port);
    cut.write(frame(5, Buffer.from([0, 18, 0, 0, 0])));
    await cut.closed;
    expect(fx.logLines.some((l) => l.includes('malformed request'))).toBe(true);

    const gone = await RawClient.open(fx.broker.port);
    gone.write(frame(1000, Buffer.alloc(100)));
    gone.close();
    await brokerStillServes();
  });

  it('answers an unknown API or version with UNSUPPORTED_VERSION instead of hanging', async () => {
    const raw = await RawClient.open(fx.broker.port);
    const unknown = await raw.request(999, 0, () => {});
    expect(unknown.int16()).toBe(35);
    const tooNew = await raw.request(ApiKey.Fetch, 99, () => {});
    expect(tooNew.int16()).toBe(35);
    // ApiVersions from the future gets a v0 answer listing what is served (KIP-511).
    const versions = await raw.request(ApiKey.ApiVersions, 9, () => {});
    expect(versions.int16()).toBe(35);
    const apis = versions.array((r) => ({ key: r.int16(), min: r.int16(), max: r.int16() }));
    expect(apis).toContainEqual({ key: ApiKey.ApiVersions, min: 0, max: 3 });
    raw.close();
  });

  it('serves many concurrent connections', async () => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => RawClient.open(fx.broker.port)));
    const answers = await Promise.all(clients.map((c) => c.request(ApiKey.ApiVersions, 2, () => {})));
    expect(answers.map((a) => a.int16())).toEqual(Array(200).fill(0));
    for (const c of clients) c.close();
    await brokerStillServes();
  });
});
