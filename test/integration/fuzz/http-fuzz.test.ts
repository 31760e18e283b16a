import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { type IngestStack, post, startIngestStack, WRITE_KEY } from '../ingest/ingest-stack.ts';
import { type BadRequest, badRequests } from './bad-requests.ts';

const SEED = 20_260_901;
const REQUESTS = 10_000;
const CONCURRENCY = 16;

interface Answer {
  readonly kind: string;
  readonly status: number;
  readonly body: unknown;
  readonly failure?: string;
}

async function send(base: string, request: BadRequest): Promise<Answer> {
  try {
    const response = await fetch(`${base}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { kind: request.kind, status: response.status, body };
  } catch (err) {
    return { kind: request.kind, status: 0, body: undefined, failure: String((err as Error).cause ?? err) };
  }
}

/**
 * A refusal names what was wrong: `error` (the code or limit) or the gateway's `message` for a
 * whole request, or `errors` with field, rule and message for each rejected event.
 */
function isJsonError(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { error, message, errors } = body as { error?: unknown; message?: unknown; errors?: unknown };
  if (typeof error === 'string' || typeof message === 'string') return true;
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((e: { field?: unknown; rule?: unknown; message?: unknown }) =>
      [e.field, e.rule, e.message].every((v) => typeof v === 'string' && v.length > 0),
    )
  );
}

async function highWater(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'fuzz-check', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('HTTP fuzz of the ingest API', () => {
  let stack: IngestStack;

  beforeAll(async () => {
    // No rate limit in the way: every request should reach the rules under test.
    stack = await startIngestStack({
      SPATE_RATE_LIMIT_PER_S: '10000000',
      SPATE_RATE_LIMIT_BURST: '10000000',
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`refuses ${REQUESTS} generated bad requests with a 4xx JSON error, and none reaches events.raw`, async () => {
    const requests = badRequests(WRITE_KEY, SEED, REQUESTS);
    expect(requests.length).toBeGreaterThanOrEqual(REQUESTS);
    const kinds = new Set(requests.map((r) => r.kind));
    for (const kind of [
      'truncated',
      'oversized',
      'deeply nested',
      'wrong type',
      'invalid UTF-8',
      'huge headers',
      'gzip bomb',
    ]) {
      expect(kinds, kind).toContain(kind);
    }

    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          answers.push(await send(stack.gateway.httpUrl, request));
        }
      }),
    );

    const byKindStatus = new Map<string, number>();
    for (const a of answers) {
      const key = `${a.kind} ${a.status}`;
      byKindStatus.set(key, (byKindStatus.get(key) ?? 0) + 1);
    }
    console.log(
      `fuzz: ${answers.length} requests\n${[...byKindStatus]
        .sort()
        .map(([k, n]) => `  ${k}: ${n}`)
        .join('\n')}`,
    );

    const wrong = answers.filter((a) => a.status < 400 || a.status >= 500 || !isJsonError(a.body));
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(answers).toHaveLength(requests.length);

    // Zero crashes: the same process still takes a good event, and it is the only one on events.raw.
    const good = await post(`${stack.gateway.httpUrl}/v1/events`, {
      event_id: randomUUID(),
      type: 'page_view',
      user_id: 'after-the-fuzz',
    });
    expect(good.status).toBe(200);
    expect(await highWater(stack.brokers, TOPICS.eventsRaw.name)).toBe(1);
    expect(await highWater(stack.brokers, TOPICS.tweetsRaw.name)).toBe(0);
    // Rejected events are kept on the dead-letter topic, not dropped.
    expect(await highWater(stack.brokers, TOPICS.eventsDlq.name)).toBeGreaterThan(REQUESTS / 4);
  }, 600_000);
});
