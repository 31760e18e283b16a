import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../load/load-runner.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';

let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('spate load against the ingest API', () => {
  it('sends shop events and tweets that are all accepted, and reports counts and latency', async () => {
    const report = await runLoad({
      endpoint: stack.gateway.httpUrl,
      writeKey: WRITE_KEY,
      rate: 200,
      durationS: 2,
      users: 100,
      tweetsRate: 20,
      seed: 42,
      spike: false,
      batchSize: 50,
      concurrency: 4,
    });
    expect(report.sent).toBeGreaterThan(0);
    expect(report.accepted).toBe(report.sent);
    expect(report.rejected).toBe(0);
    expect(report.refused).toBe(0);
    expect(report.tweets.sent).toBeGreaterThan(0);
    expect(report.tweets.accepted).toBe(report.tweets.sent);
    expect(report.latency_ms.p99).toBeGreaterThanOrEqual(report.latency_ms.p50);
    expect(report.latency_ms.p50).toBeGreaterThan(0);
    expect(Date.parse(report.ended_at)).toBeGreaterThan(Date.parse(report.started_at));
  });
});
