import { describe, expect, it } from 'vitest';
import { MappingCounters } from '../../../local/esm/mapping-status.ts';

describe('MappingCounters', () => {
  it('counts batches, records, retries and failures, and sums lag over partitions', () => {
    const counters = new MappingCounters('aggregate', 'events.raw', 'spate-aggregate');
    counters.observeLag(0, '100', '40');
    counters.observeLag(1, '10', '10');
    counters.observeLag(0, '100', '90');
    counters.delivered(5);
    counters.delivered(3);
    counters.retried('boom');
    counters.sentToFailureTopic('still boom');
    counters.state = 'running';
    expect(counters.snapshot()).toEqual({
      functionName: 'aggregate',
      topic: 'events.raw',
      groupId: 'spate-aggregate',
      state: 'running',
      batches: 2,
      records: 8,
      failures: 1,
      retries: 1,
      lag: 10,
      lastError: 'still boom',
    });
  });
});
