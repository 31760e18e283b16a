import type { Aggregation } from '../../../core/aggregation/aggregation.ts';
import { type DedupClock, parseDirectory } from '../../../core/aggregation/dedup-directory.ts';
import {
  liveSegments,
  SIGHT_ENTRY_BYTES,
  sightingsOf,
  sightLookup,
} from '../../../core/aggregation/first-sights.ts';
import {
  freshEvents,
  type GatedBatch,
  planGatedBatch,
  undecidedEvents,
} from '../../../core/aggregation/gated-plan.ts';
import { parseHighWater } from '../../../core/aggregation/offset-gate.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import type { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { readVerdicts, verdictRanges } from '../../../core/aggregation/verdict-log.ts';

const fieldId = (f: Buffer | string) => (typeof f === 'string' ? f : f.toString('latin1'));

/**
 * The hot tier's store in memory, applying a plan as the apply script does (gate check, claims
 * checked before any write, first sights set by HSET). HyperLogLogs are kept as exact sets.
 */
export class PlanStore {
  readonly hashes = new Map<string, Map<string, string>>();
  readonly sortedSets = new Map<string, Map<string, number>>();
  readonly sets = new Map<string, Set<string>>();
  readonly strings = new Map<string, string>();

  hash(key: string): Map<string, string> {
    let h = this.hashes.get(key);
    if (h === undefined) {
      h = new Map();
      this.hashes.set(key, h);
    }
    return h;
  }

  /** 1 applied, 0 the gate had moved, 2 a claim was held by another value. */
  apply(plan: RedisPlan, gateKey: string, expected: number, next: number): 0 | 1 | 2 {
    if (parseHighWater(this.strings.get(gateKey)) !== expected) return 0;
    for (const [key, fields] of plan.claims)
      for (const [field, value] of fields) {
        const held = this.hashes.get(key)?.get(field);
        if (held !== undefined && held !== value) return 2;
      }
    for (const [key, fields] of plan.claims) for (const [f, v] of fields) this.hash(key).set(f, v);
    for (const [key, fields] of plan.hashIncrements)
      for (const [f, by] of fields) this.hash(key).set(f, String(Number(this.hash(key).get(f) ?? 0) + by));
    for (const [key, members] of plan.sortedSetIncrements) {
      const z = this.sortedSets.get(key) ?? new Map<string, number>();
      for (const [m, by] of members) z.set(m, (z.get(m) ?? 0) + by);
      this.sortedSets.set(key, z);
    }
    const set = (key: string) => this.sets.get(key) ?? this.sets.set(key, new Set()).get(key)!;
    for (const [key, elements] of plan.hyperLogLogAdds) for (const e of elements) set(key).add(e);
    for (const [key, sources] of plan.hyperLogLogMerges)
      for (const s of sources) for (const e of set(s)) set(key).add(e);
    for (const [key, { value }] of plan.strings) this.strings.set(key, value);
    for (const [key, fields] of plan.hashSets)
      for (const { field, value } of fields.values()) this.hash(key).set(fieldId(field), value);
    for (const [key, fields] of plan.hashDeletes) for (const f of fields) this.hashes.get(key)?.delete(f);
    for (const [key, { size, writes }] of plan.ranges) {
      let text = this.strings.get(key) ?? '\0'.repeat(size);
      for (const { at, bytes } of writes) text = text.slice(0, at) + bytes + text.slice(at + bytes.length);
      this.strings.set(key, text);
    }
    this.strings.set(gateKey, String(next));
    return 1;
  }
}

/**
 * What OffsetGate does for one batch, against the store in memory: read (the verdicts left by
 * other consumers, else the first sights), plan with the same core function, and hand back the
 * commit (so a test can run another consumer in between).
 */
export function prepareBatch<E extends { readonly offset: number }>(
  store: PlanStore,
  aggregation: Aggregation<E>,
  clock: DedupClock,
  batch: GatedBatch<E>,
  nowMs: number,
): (() => 0 | 1 | 2) | null {
  const gateKey = redisKeys.gate(aggregation.consumer, batch.topic, batch.partition);
  const highWater = parseHighWater(store.strings.get(gateKey));
  if (batch.lastOffset <= highWater) return null;
  const directory = store.hashes.get(redisKeys.dedupDirectory(batch.topic, batch.partition)) ?? new Map();
  const segments = parseDirectory(Object.fromEntries(directory));
  const fresh = freshEvents(batch, highWater);
  const ranges = verdictRanges(batch, batch.events[0]!.offset, batch.lastOffset);
  const bytes = ranges.map((r) => (store.strings.get(r.key) ?? '').slice(r.start, r.end + 1));
  const verdicts = readVerdicts(
    ranges,
    bytes,
    fresh.map((e) => e.offset),
  );
  const sightings = sightingsOf(undecidedEvents(fresh, verdicts), (e) => aggregation.identityOf(e));
  const stored = new Map<string, number>();
  const lookup = sightLookup(batch, liveSegments(clock, segments, nowMs), sightings);
  lookup.digests.forEach((digest, i) => {
    const entry = lookup.entries.subarray(i * SIGHT_ENTRY_BYTES, (i + 1) * SIGHT_ENTRY_BYTES);
    const key = lookup.keys[entry.readUInt32BE(0) - 1]!;
    const value = store.hashes.get(key)?.get(fieldId(entry.subarray(4)));
    if (value !== undefined) stored.set(digest, Number(value));
  });
  const state = new Map(aggregation.stateKeys(batch.events).map((k) => [k, store.strings.get(k) ?? null]));
  const { plan } = planGatedBatch(
    aggregation,
    clock,
    batch,
    sightings,
    { highWater, segments, stored, state, verdicts },
    nowMs,
  );
  return () => store.apply(plan, gateKey, highWater, batch.lastOffset);
}
