import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../core/limits/circuit-breaker.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { KeyRateLimiter } from '../../../core/limits/token-bucket.ts';
import { TOPICS } from '../../../core/topics.ts';
import { createKafka } from '../../../io/kafka/kafka-client.ts';
import { RecordProducer } from '../../../io/kafka/record-producer.ts';
import { createIngestService, type RecordSink } from '../../../lambdas/ingest/ingest-service.ts';
import { DLQ_REPLAY_GROUP, listDeadLetters, replayDeadLetters } from '../../../lambdas/replay-dlq.ts';
import { type ProcessResult, runProcess } from '../../support/run-process.ts';
import { makeEvent, makeHttpApiEvent } from '../../unit/ingest/factories.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopicToEnd } from './topic-reader.ts';

const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));

let stack: IngestStack;
let earlier: ReturnType<typeof createIngestService>;
let producer: RecordProducer;

beforeAll(async () => {
  stack = await startIngestStack();
  producer = new RecordProducer(
    createKafka({ brokers: stack.brokers, clientId: 'earlier-ingest', auth: 'none', region: undefined }),
    { timeoutMs: 15_000 },
  );
  // The ingest function as an earlier release had it, with a rule since relaxed: properties
  // nested two levels deep were refused. That is the cause the replay comes after.
  earlier = createIngestService({
    writeKeys: stack.config.writeKeys,
    origins: stack.config.origins,
    limits: { ...INGEST_LIMITS, maxPropertiesDepth: 1 },
    limiter: new KeyRateLimiter(stack.config.rateLimit),
    breaker: new CircuitBreaker(stack.config.breaker),
    sink: producer,
    now: Date.now,
  });
});

afterAll(async () => {
  await producer?.disconnect();
  await stack?.close();
});

/** `spate ...` as a user runs it, against the test broker. */
function spate(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [SPATE, ...args], {
    env: { ...process.env, SPATE_KAFKA_BROKERS: stack.brokers.join(',') },
    timeoutMs: 180_000,
  });
}

const options = { groupId: DLQ_REPLAY_GROUP, samples: 1, limits: INGEST_LIMITS };
const kafka = () =>
  createKafka({ brokers: stack.brokers, clientId: 'dlq-test', auth: 'none', region: undefined });
const list = async () => (await listDeadLetters(kafka(), options)).summary;

async function rawFor(user: string) {
  const records = await readTopicToEnd(stack.brokers, TOPICS.eventsRaw.name);
  return records.filter((r) => r.key === user).map((r) => JSON.parse(r.value) as Record<string, unknown>);
}

describe('spate dlq', () => {
  it('lists, then replays once what today accepts; a second replay adds nothing', async () => {
    const user = `dlq-${randomUUID()}`;
    const deep = { cart: { items: 2 } };
    const { event_id: _, ...withoutId } = makeEvent({ user_id: user, properties: deep });
    const answer = await earlier(
      makeHttpApiEvent({
        writeKey: WRITE_KEY,
        body: [
          makeEvent({ user_id: user, properties: deep }),
          withoutId,
          { ...makeEvent({ user_id: user }), event_id: 'not-a-uuid' },
          makeEvent({ user_id: user }),
        ],
      }),
    );
    expect(answer.statusCode).toBe(207);
    expect(await rawFor(user)).toHaveLength(1);

    const listing = await spate('dlq', '--samples', '1');
    expect(listing.code).toBe(0);
    expect(listing.stdout).toMatch(/properties maxPropertiesDepth: \d+ \(\d+ not replayed, \d+ pass now\)/);
    expect(listing.stdout).toContain(user);
    const before = (await list()).reasons();
    const depth = before.find((r) => r.reason === 'properties maxPropertiesDepth');
    expect(depth?.passNow).toBeGreaterThanOrEqual(2);
    expect(before.find((r) => r.reason === 'event_id format')?.passNow).toBe(0);

    const first = await spate('dlq', 'replay');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/replayed \d+ of \d+ rejected events/);
    expect(first.stdout).toMatch(/event_id format: \d+/);
    const landed = await rawFor(user);
    // The accepted one, plus the two the earlier rule refused; the bad id is still refused.
    expect(landed).toHaveLength(3);
    const replayed = landed.filter((e) => e.properties !== null);
    expect(replayed).toHaveLength(2);
    for (const event of replayed) expect(event).toMatchObject({ project: 'shop', properties: deep });

    const second = await spate('dlq', 'replay');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('nothing to replay');
    expect(await rawFor(user)).toHaveLength(3);

    expect((await list()).pending).toBe(0);
  }, 180_000);

  it('replays only what was rejected since the last replay', async () => {
    await replayDeadLetters(kafka(), producer, options);
    const user = `dlq-later-${randomUUID()}`;
    const answer = await earlier(
      makeHttpApiEvent({
        writeKey: WRITE_KEY,
        body: makeEvent({ user_id: user, properties: { a: { b: 1 } } }),
      }),
    );
    expect(answer.statusCode).toBe(400);
    const replay = await spate('dlq', 'replay');
    expect(replay.stdout).toContain('replayed 1 of 1 rejected events');
    expect(await rawFor(user)).toHaveLength(1);
  }, 120_000);

  it('commits nothing when the write fails: the next replay sends those letters, once', async () => {
    await replayDeadLetters(kafka(), producer, options);
    const user = `dlq-retry-${randomUUID()}`;
    const { event_id: _, ...withoutId } = makeEvent({ user_id: user, properties: { a: { b: 1 } } });
    expect((await earlier(makeHttpApiEvent({ writeKey: WRITE_KEY, body: withoutId }))).statusCode).toBe(400);
    const down: RecordSink = {
      send: async () => {
        throw new Error('the event stream did not acknowledge');
      },
    };
    await expect(replayDeadLetters(kafka(), down, options)).rejects.toThrow();
    expect((await list()).pending).toBe(1);
    const report = await replayDeadLetters(kafka(), producer, options);
    expect([report.read, report.replayed, report.written]).toEqual([1, 1, 1]);
    expect(await rawFor(user)).toHaveLength(1);
  }, 120_000);

  it('has --help, and spate replay points events.dlq at it', async () => {
    const help = await spate('dlq', '--help');
    expect(help.stdout).toContain('replay [options]');
    expect(help.stdout).toContain('--samples <n>');
    const replayHelp = await spate('dlq', 'replay', '--help');
    expect(replayHelp.stdout).toContain('same validation as live ingest');
    const refused = await spate('replay', '--topic', 'events.dlq', '--from-offset', '0');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spate dlq replay');
  }, 120_000);
});
