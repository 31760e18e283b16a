import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Aggregation } from '../../../core/aggregation/aggregation.ts';
import { dedupClock } from '../../../core/aggregation/dedup-directory.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { funnelsAggregation } from '../../../core/aggregation/funnels.ts';
import { type PositionedEvent, partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
import { windowsAggregation } from '../../../core/aggregation/sliding-windows.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';
import { PlanStore, prepareBatch } from './plan-store.ts';

// A fixed clock: nothing here depends on the date or time zone the tests run in.
const T0 = Date.parse('2026-03-29T00:59:00.000Z');
// A short window (8 generations of 10 s) so a run crosses several generations and segments.
const clock = dedupClock(80);
const SPAN_MS = 60_000;

const aggregations: Aggregation[] = [
  realtimeAggregation,
  windowsAggregation,
  funnelsAggregation(parseFunnelCatalog(undefined)),
];

const eventArb = fc.record({
  kind: fc.constantFrom('page_view', 'product_view', 'add_to_cart', 'purchase'),
  user: fc.integer({ min: 0, max: 5 }),
  second: fc.integer({ min: 0, max: 150 }),
  product: fc.integer({ min: 0, max: 3 }),
});

type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function materialise(spec: EventSpec, i: number): EnrichedEvent {
  const timestamp = new Date(T0 - 200_000 + spec.second * 1000).toISOString();
  const product = { id: `p${spec.product}` };
  const base = { event_id: `e${i}`, user_id: `u${spec.user}`, timestamp };
  switch (spec.kind) {
    case 'page_view':
      return enrichedEvent({ ...base, page: { path: `/a${spec.product}`, url: 'https://shop.example/' } });
    case 'product_view':
      return enrichedEvent({
        ...base,
        product,
        page: { path: `/p/${spec.product}`, url: 'https://shop.example/' },
      });
    case 'add_to_cart':
      return enrichedEvent({ ...base, type: 'add_to_cart', product });
    default:
      return enrichedEvent({
        ...base,
        type: 'purchase',
        order: {
          id: `o${i}`,
          revenue: 1 + spec.product,
          currency: 'EUR',
          items: [{ product_id: product.id, quantity: 2 }],
        },
      });
  }
}

/** A client's sends: every event once, some again (1-3 copies), in an order the network made. */
const scheduleArb = fc
  .array(fc.tuple(eventArb, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 400, size: 'max' })
  .chain((specs) => {
    const sends = specs.flatMap(([, copies], i) => Array.from({ length: 1 + copies }, () => i));
    return fc.tuple(
      fc.constant(specs.map(([spec]) => spec)),
      fc.shuffledSubarray(sends, { minLength: sends.length, maxLength: sends.length }),
      // Per step: which consumer, batch size, how far back a redelivery starts, a crash, a race.
      fc.array(
        fc.record({
          consumer: fc.integer({ min: 0, max: 2 }),
          size: fc.integer({ min: 1, max: 60 }),
          back: fc.integer({ min: 0, max: 25 }),
          crash: fc.boolean(),
          raceWith: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 4 }),
        }),
        { minLength: 1, maxLength: 300, size: 'max' },
      ),
    );
  });

function batchOf(log: readonly EnrichedEvent[], from: number, size: number) {
  const [batch] = partitionBatches(
    mskEventOf(log.slice(from, from + size), { partition: 5, firstOffset: from }),
  );
  return batch!;
}

/** The consumer clock follows the log position, so a run spans SPAN_MS (under the window). */
const nowAt = (offset: number, total: number) => T0 + Math.floor((offset * SPAN_MS) / total);

function run(store: PlanStore, log: readonly EnrichedEvent[], steps: readonly Step[]): void {
  const committed = aggregations.map(() => 0);
  const advance = (c: number, from: number, size: number, crash: boolean, race?: number): void => {
    if (from >= log.length) return;
    const batch = batchOf(log, from, size);
    for (let attempt = 0; attempt < 4; attempt++) {
      const commit = prepareBatch(store, aggregations[c]!, clock, batch, nowAt(batch.lastOffset, log.length));
      // Another consumer of the partition may apply a batch between this one's read and write.
      if (race !== undefined && race !== c) advance(race, committed[race]!, size, false);
      if (commit === null || commit() === 1) break;
    }
    if (!crash) committed[c] = Math.max(committed[c]!, from + size);
  };
  for (const step of steps) {
    const c = step.consumer;
    if (committed[c]! >= log.length) continue;
    advance(c, Math.max(0, committed[c]! - step.back), step.size, step.crash, step.raceWith ?? undefined);
  }
  // Then every consumer catches up, as the mapping does.
  for (const [c] of aggregations.entries())
    while (committed[c]! < log.length) advance(c, committed[c]!, 50, false);
}

type Step = { consumer: number; size: number; back: number; crash: boolean; raceWith: number | null };

/** Everything the aggregates hold, comparable; the dedup bookkeeping and gates left out. */
function aggregates(store: PlanStore) {
  const keep = (k: string) => !k.includes(':dd:') && !k.includes(':gate:');
  const sorted = <V>(m: Map<string, V>, f: (v: V) => unknown) =>
    Object.fromEntries(
      [...m]
        .filter(([k]) => keep(k))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, f(v)]),
    );
  return {
    hashes: sorted(store.hashes, (h) => Object.fromEntries([...h].sort())),
    sortedSets: sorted(store.sortedSets, (z) => Object.fromEntries([...z].sort())),
    sets: sorted(store.sets, (s) => [...s].sort()),
    strings: sorted(store.strings, (s) => s),
  };
}

describe('client copies against the hot tier plan', () => {
  // Up to 1,600 records through three consumers a run: seconds on a busy machine, hence the timeout.
  it('counts every event id once, whatever the re-sends, re-splits, crashes and races', () => {
    fc.assert(
      fc.property(scheduleArb, ([specs, sends, steps]) => {
        const log = sends.map((i) => materialise(specs[i]!, i));
        const store = new PlanStore();
        run(store, log, steps);

        // The truth: each distinct event, in the order its first copy arrived, applied once.
        const seen = new Set<string>();
        const distinct = log.filter((e) => !seen.has(e.event_id) && seen.add(e.event_id));
        const truth = new PlanStore();
        for (const a of aggregations) {
          const events: PositionedEvent[] = distinct.map((event, offset) => ({
            event,
            offset,
            timeMs: Date.parse(event.timestamp),
          }));
          const batch = { topic: 'events.raw', partition: 5, lastOffset: events.length - 1, events };
          prepareBatch(truth, a, clock, batch, nowAt(log.length, log.length))!();
        }
        const got = aggregates(store);
        expect(got).toEqual(aggregates(truth));

        // And plainly: the per-minute counters add up to the number of distinct events.
        const counted = Object.entries(got.hashes)
          .filter(([k]) => k.includes(':c:m:'))
          .flatMap(([, h]) => Object.entries(h as Record<string, string>))
          .filter(([f]) => f.startsWith('t:'))
          .reduce((sum, [, n]) => sum + Number(n), 0);
        expect(counted).toBe(specs.length);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
