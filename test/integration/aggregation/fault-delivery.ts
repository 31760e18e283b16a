import type { MSKEvent } from 'aws-lambda';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import type { ChaosProxy } from './chaos-proxy.ts';

export type Sink = (event: MSKEvent) => Promise<unknown>;

/**
 * Delivers every partition through `sink` the way a mapping does under faults: invocations
 * killed before or after the handler ran, connections cut mid-request, and every redelivery
 * cut at other offsets than the delivery before (so object keys and dedup tokens differ).
 * Returns how many invocations failed.
 */
export async function deliverWithFaults(
  sink: Sink,
  partitions: readonly (readonly (EnrichedEvent | string)[])[],
  proxy: ChaosProxy,
  random: () => number,
  topic?: string,
): Promise<number> {
  let failures = 0;
  for (const [p, records] of partitions.entries()) {
    let committed = 0;
    while (committed < records.length) {
      const size = 1 + Math.floor(random() * 250);
      const batch = records.slice(committed, committed + size);
      const roll = random();
      try {
        if (roll < 0.1) throw new Error('killed before the handler ran');
        proxy.cutChance = roll < 0.3 ? 0.3 : 0;
        await sink(mskEventOf(batch, { partition: p, firstOffset: committed, ...(topic ? { topic } : {}) }));
        if (roll > 0.8) throw new Error('killed after the handler wrote, before the mapping committed');
        committed += batch.length;
      } catch {
        failures += 1;
      } finally {
        proxy.cutChance = 0;
      }
    }
  }
  return failures;
}
