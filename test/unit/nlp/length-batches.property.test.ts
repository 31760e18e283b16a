import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  inInputOrder,
  type LengthBatchLimits,
  type LengthBatchPlan,
  planLengthBatches,
} from '../../../core/nlp/inference/length-batches.ts';

/** Token lengths of tweets as a byte-level BPE cuts them: mostly 5-40, a tail to the 128 cap. */
const lengthsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 41, max: 128 })), {
  maxLength: 300,
});

const limitsArb = fc.record({
  maxTokens: fc.integer({ min: 1, max: 20_000 }),
  maxRows: fc.integer({ min: 1, max: 300 }),
  runCostTokens: fc.integer({ min: 0, max: 600 }),
  padMultiple: fc.constantFrom(1, 8),
  maxWidth: fc.constant(128),
});

function cost(lengths: readonly number[], plan: LengthBatchPlan, runCost: number) {
  let padded = 0;
  for (const b of plan.batches) padded += (b.end - b.start) * b.width;
  const real = lengths.reduce((a, b) => a + Math.max(1, b), 0);
  return { padded, real, total: padded + runCost * plan.batches.length };
}

/** Every way to cut the sorted lengths into contiguous runs that respect the limits: the reference. */
function bruteForceBest(lengths: readonly number[], limits: LengthBatchLimits): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  const width = (l: number) => Math.max(1, l);
  let best = Number.POSITIVE_INFINITY;
  const walk = (from: number, sofar: number) => {
    if (from === sorted.length) {
      best = Math.min(best, sofar);
      return;
    }
    for (let end = from + 1; end <= sorted.length; end++) {
      const rows = end - from;
      const w = width(sorted[end - 1]!);
      if (rows > limits.maxRows || (rows > 1 && rows * w > limits.maxTokens)) break;
      walk(end, sofar + rows * w + limits.runCostTokens);
    }
  };
  walk(0, 0);
  return best;
}

describe('planLengthBatches', () => {
  it('runs every input exactly once, and inInputOrder puts results back where their inputs were', () => {
    fc.assert(
      fc.property(lengthsArb, limitsArb, (lengths, limits) => {
        const plan = planLengthBatches(lengths, limits);
        expect([...plan.order].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
        // The runs tile the order: no row skipped, none run twice.
        let at = 0;
        for (const b of plan.batches) {
          expect(b.start).toBe(at);
          expect(b.end).toBeGreaterThan(b.start);
          at = b.end;
        }
        expect(at).toBe(lengths.length);
        const results = plan.order.map((i) => `result of ${i}`);
        expect(inInputOrder(plan, results)).toEqual(lengths.map((_, i) => `result of ${i}`));
      }),
    );
  });

  it('keeps each run within the token budget and the row limit, each row within its run width, runs shortest first', () => {
    fc.assert(
      fc.property(lengthsArb, limitsArb, (lengths, limits) => {
        const plan = planLengthBatches(lengths, limits);
        let previousWidth = 0;
        for (const b of plan.batches) {
          const rows = b.end - b.start;
          expect(rows).toBeLessThanOrEqual(limits.maxRows);
          // Only a row wider than the whole budget runs over it, and then alone.
          if (rows > 1) expect(rows * b.width).toBeLessThanOrEqual(limits.maxTokens);
          for (const i of plan.order.slice(b.start, b.end)) expect(lengths[i]!).toBeLessThanOrEqual(b.width);
          expect(b.width).toBeLessThanOrEqual(limits.maxWidth);
          // Rounded to the multiple unless that would pass the model's longest input.
          if (b.width !== limits.maxWidth) expect(b.width % limits.padMultiple).toBe(0);
          expect(b.width).toBeGreaterThanOrEqual(previousWidth);
          previousWidth = b.width;
        }
      }),
    );
  });

  it('finds the cheapest cut (padded tokens + run cost), as an exhaustive search does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 9 }),
        fc.record({
          maxTokens: fc.integer({ min: 1, max: 300 }),
          maxRows: fc.integer({ min: 1, max: 9 }),
          runCostTokens: fc.integer({ min: 0, max: 100 }),
        }),
        (lengths, limits) => {
          const plan = planLengthBatches(lengths, limits);
          expect(cost(lengths, plan, limits.runCostTokens).total).toBe(bruteForceBest(lengths, limits));
        },
      ),
    );
  });

  it('bounds the padding waste on random lengths by the run cost it saves, and never pads more than one run per budget would', () => {
    fc.assert(
      fc.property(lengthsArb, limitsArb, (lengths, limits) => {
        const exact = { ...limits, padMultiple: 1 };
        const plan = planLengthBatches(lengths, exact);
        const { padded, real, total } = cost(lengths, plan, limits.runCostTokens);
        // Zero waste: one run per distinct length (split by the limits). Being cheapest, the plan
        // wastes at most the run cost of the runs it saves against that.
        const zeroWasteRuns = [...new Set(lengths.map((l) => Math.max(1, l)))].reduce((runs, width) => {
          const count = lengths.filter((l) => Math.max(1, l) === width).length;
          const perRun = Math.max(1, Math.min(exact.maxRows, Math.floor(exact.maxTokens / width)));
          return runs + Math.ceil(count / perRun);
        }, 0);
        expect(padded - real).toBeLessThanOrEqual(
          limits.runCostTokens * (zeroWasteRuns - plan.batches.length),
        );
        // Without length batching: arrival order, chunks as large as the limits allow, each padded
        // to its longest row. The plan never costs more.
        let naive = 0;
        for (let at = 0; at < lengths.length; ) {
          let end = at;
          let width = 1;
          while (end < lengths.length) {
            const w = Math.max(width, lengths[end]!, 1);
            const rows = end - at + 1;
            if (rows > 1 && (rows > exact.maxRows || rows * w > exact.maxTokens)) break;
            width = w;
            end++;
          }
          naive += (end - at) * width + limits.runCostTokens;
          at = end;
        }
        expect(total).toBeLessThanOrEqual(naive);
      }),
    );
  });

  it('cuts a mixed micro-batch of tweets into runs of similar length', () => {
    // 205 short tweets (8-20 tokens) and 51 long ones (90-120), interleaved as they arrive.
    const lengths = Array.from({ length: 256 }, (_, i) => (i % 5 === 4 ? 90 + (i % 31) : 8 + (i % 13)));
    const plan = planLengthBatches(lengths, { maxTokens: 16_384, maxRows: 256, runCostTokens: 256 });
    const { padded, real } = cost(lengths, plan, 256);
    // Padded to the longest (one run of 256 x 120), two thirds would be padding; split by length, little is.
    expect(Math.max(...lengths) * lengths.length).toBeGreaterThan(3 * real);
    expect(padded).toBeLessThan(1.15 * real);
    expect(plan.batches.length).toBeGreaterThan(1);
  });

  it('plans nothing for no input and refuses limits that cannot hold, naming the field', () => {
    expect(planLengthBatches([], { maxTokens: 1, maxRows: 1, runCostTokens: 0 })).toEqual({
      order: [],
      batches: [],
    });
    expect(() => planLengthBatches([3], { maxTokens: 0, maxRows: 1, runCostTokens: 0 })).toThrow(
      /lengthBatching\.maxTokens: must be a positive integer/,
    );
    expect(() => planLengthBatches([3], { maxTokens: 8, maxRows: 1.5, runCostTokens: 0 })).toThrow(
      /lengthBatching\.maxRows/,
    );
    expect(() => planLengthBatches([3], { maxTokens: 8, maxRows: 1, runCostTokens: -1 })).toThrow(
      /lengthBatching\.runCostTokens/,
    );
    expect(() =>
      planLengthBatches([200], { maxTokens: 8, maxRows: 1, runCostTokens: 0, maxWidth: 128 }),
    ).toThrow(/lengths\[0\]: 200 is longer than maxWidth 128/);
  });
});
