import { describe, expect, it } from 'vitest';
import { planBreakdowns } from '../../../core/aggregation/breakdown-counters.ts';
import { dedupClock } from '../../../core/aggregation/dedup-directory.ts';
import { identityOfEvent } from '../../../core/aggregation/event-decoding.ts';
import { judgeSightings, planFirstSights, sightingsOf } from '../../../core/aggregation/first-sights.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { funnelsAggregation } from '../../../core/aggregation/funnels.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { planRealtime } from '../../../core/aggregation/realtime-counters.ts';
import { encodePlan, RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { planWindows } from '../../../core/aggregation/sliding-windows.ts';
import { planVerdicts } from '../../../core/aggregation/verdict-log.ts';
import { APPLY_PLAN_LUA } from '../../../io/redis/apply-script.ts';
import { GATE_READ_LUA } from '../../../io/redis/gate-read-script.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

/** Every `redis.call('CMD', first, ...)` of the script, with the expression of its first key. */
function calls(script: string): { command: string; key: string }[] {
  return [...script.matchAll(/redis\.call\('(\w+)',\s*([^,)]+)/g)].map((m) => ({
    command: m[1]!,
    key: m[2]!,
  }));
}

const T = Date.parse('2026-01-15T10:00:30.000Z');

/** A plan with every kind of op: counters, breakdowns, top-N, HLL adds and merges, funnel state, first sights. */
function fullPlan(): RedisPlan {
  const events = [
    enrichedEvent({ type: 'page_view', product: { id: 'p1' }, user_id: 'a' }),
    enrichedEvent({ type: 'add_to_cart', product: { id: 'p1' }, user_id: 'a' }),
    enrichedEvent({
      type: 'purchase',
      user_id: 'a',
      order: { id: 'o1', revenue: 10, currency: 'EUR', items: [{ product_id: 'p1', quantity: 1 }] },
    }),
  ];
  const [batch] = partitionBatches(mskEventOf(events, { partition: 3, firstOffset: 40 }));
  const plan = new RedisPlan();
  planRealtime(batch!.events, plan, T);
  planBreakdowns(batch!.events, plan, T);
  planWindows(batch!.events, plan, T);
  funnelsAggregation(parseFunnelCatalog(undefined)).plan(batch!.events, new Map(), plan, T);
  const verdict = judgeSightings(sightingsOf(batch!.events, identityOfEvent), new Map());
  planFirstSights(plan, { topic: 'events.raw', partition: 3 }, dedupClock(86_400), [], verdict.unrecorded, T);
  const offsets = batch!.events.map((e) => e.offset);
  planVerdicts(plan, { topic: 'events.raw', partition: 3 }, offsets, new Set(offsets), T / 1000 + 86_400);
  return plan;
}

describe('the apply script and ElastiCache Serverless', () => {
  it('names every key it touches through KEYS, never through ARGV', () => {
    const found = calls(APPLY_PLAN_LUA);
    expect(found.length).toBeGreaterThanOrEqual(15);
    const reads = calls(GATE_READ_LUA);
    expect(reads.map((c) => c.command)).toEqual(['GETRANGE', 'HMGET']);
    for (const { command, key } of [...found, ...reads])
      expect({ command, key }).toEqual({ command, key: expect.stringMatching(/^KEYS\[/) });
    // PFMERGE's sources are keys too: they are gathered from KEYS before the call.
    expect(APPLY_PLAN_LUA).toMatch(/sources\[s\] = KEYS\[tonumber\(ARGV\[i \+ 2 \+ s\]\)\]/);
    expect(APPLY_PLAN_LUA).toMatch(
      /redis\.call\('PFMERGE', KEYS\[tonumber\(ARGV\[i \+ 1\]\)\], unpack\(sources\)\)/,
    );
  });

  it('declares every key of a plan in KEYS, all in the one {sp} slot, and refers to them by index', () => {
    const plan = fullPlan();
    const gate = '{sp}:gate:realtime:events.raw:3';
    const { keys, args } = encodePlan(plan, [gate]);
    expect(keys[0]).toBe(gate);
    expect(new Set(keys).size).toBe(keys.length);
    const planKeys = new Set([
      ...plan.hashIncrements.keys(),
      ...plan.sortedSetIncrements.keys(),
      ...plan.hyperLogLogAdds.keys(),
      ...plan.hyperLogLogMerges.keys(),
      ...[...plan.hyperLogLogMerges.values()].flatMap((s) => [...s]),
      ...plan.strings.keys(),
      ...plan.hashSets.keys(),
      ...plan.claims.keys(),
      ...plan.ranges.keys(),
      ...plan.expiries.keys(),
      ...plan.tallyValueVisitors.keys(),
    ]);
    expect(planKeys.size).toBeGreaterThan(10);
    expect(new Set(keys.slice(1))).toEqual(planKeys);
    for (const key of keys) expect(key.startsWith('{sp}:')).toBe(true);
    // No key name travels in ARGV.
    const text = args.map((a) => (typeof a === 'string' ? a : a.toString('latin1')));
    for (const key of keys) expect(text).not.toContain(key);
  });

  it('sends a plan without first sights as text only, which the client writes in one piece', () => {
    const plan = new RedisPlan();
    planRealtime(partitionBatches(mskEventOf([enrichedEvent({ type: 'page_view' })]))[0]!.events, plan, T);
    planVerdicts(plan, { topic: 'events.raw', partition: 3 }, [40], new Set([40]), T / 1000 + 86_400);
    const { args } = encodePlan(plan, ['{sp}:gate:x:events.raw:3']);
    expect(args.filter((a) => typeof a !== 'string')).toEqual([]);
    expect(args).toContain('E');
  });

  it('walks the encoded ops to key indexes that exist', () => {
    const { keys, args } = encodePlan(fullPlan(), ['{sp}:gate:x:events.raw:3']);
    const text = args.map((a) => (typeof a === 'string' ? a : ''));
    const packedAt = (at: number) => args[at] as Buffer;
    const claims = Number(text[0]);
    expect(claims).toBe(1);
    const refs: number[] = [];
    let i = 1;
    for (let c = 0; c < claims; c++, i += 3) refs.push(Number(text[i]));
    const width: Record<string, number> = { h: 4, z: 4, s: 4, d: 3, r: 5 };
    const packedOps = new Set<string>();
    while (i < text.length) {
      const op = text[i]!;
      if (op === 'F') {
        // Packed field sets: key index, field and value lengths and bytes, back to back.
        const packed = packedAt(i + 1);
        for (let at = 0; at < packed.length; ) {
          refs.push(packed.readUInt32BE(at));
          const field = packed[at + 4]!;
          at += 6 + field + packed[at + 5 + field]!;
        }
        packedOps.add(op);
        i += 2;
        continue;
      }
      if (op === 'E') {
        const list = text[i + 2]!;
        expect(list).toMatch(/^\d+(,\d+)*$/);
        for (const r of list.split(',')) refs.push(Number(r));
        packedOps.add(op);
        i += 3;
        continue;
      }
      if (op === 'U') {
        // The visitors V ops name: n of them, no key.
        i += 2 + Number(text[i + 1]);
        packedOps.add(op);
        continue;
      }
      refs.push(Number(text[i + 1]));
      if (op === 'B') {
        // A bounded tally: the bound, then per member its counts, its currencies' revenue and
        // its types' events.
        let at = i + 6;
        for (let m = 0; m < Number(text[i + 5]); m++) {
          at += 4 + 2 * Number(text[at + 3]);
          at += 1 + 2 * Number(text[at]);
        }
        i = at;
        packedOps.add(op);
        continue;
      }
      if (op === 'V') {
        // A tally value's visitors: the tally, its HyperLogLog, the expiry, the value, the
        // indexes of its visitors in the U op's list.
        refs.push(Number(text[i + 2]));
        expect(text[i + 5]).toMatch(/^\d+(,\d+)*$/);
        i += 6;
        packedOps.add(op);
        continue;
      }
      if (op === 'p' || op === 'm') {
        const n = Number(text[i + 2]);
        if (op === 'm') for (let s = 1; s <= n; s++) refs.push(Number(text[i + 2 + s]));
        i += 3 + n;
      } else {
        expect(width[op]).toBeDefined();
        i += width[op]!;
      }
    }
    expect(i).toBe(text.length);
    expect(packedOps).toEqual(new Set(['F', 'E', 'B', 'U', 'V']));
    for (const r of refs) {
      expect(Number.isInteger(r)).toBe(true);
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(keys.length);
    }
  });
});
