import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';

let stack: IngestStack;

// A pace small enough to reach in a test: 10 events at once, then 1 a second.
beforeAll(async () => {
  stack = await startIngestStack({ SPATE_IMPORT_RATE_PER_S: '1', SPATE_IMPORT_RATE_BURST: '10' });
});

afterAll(async () => {
  await stack?.close();
});

const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

async function post(path: string, count: number) {
  const batch = Array.from({ length: count }, () => ({
    type: 'track',
    event: 'Order Completed',
    messageId: randomUUID(),
    userId: `history-${randomUUID()}`,
    timestamp: '2001-06-01T12:00:00.000Z',
  }));
  const response = await fetch(`${stack.gateway.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ batch }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { accepted?: number; error?: string; message?: string },
  };
}

describe('history paced apart from live traffic', () => {
  it('answers an import past its pace 429 with Retry-After, while the same key keeps sending live events', async () => {
    expect(await post('/v1/import', 10)).toMatchObject({ status: 200, body: { accepted: 10 } });
    const paced = await post('/v1/import', 5);
    expect(paced.status).toBe(429);
    expect(Number(paced.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(paced.body.message).toContain('SPATE_IMPORT_RATE_PER_S');
    // Live routes draw on the key's own limit only.
    expect(await post('/v1/batch', 50)).toMatchObject({ status: 200, body: { accepted: 50 } });
  });
});
