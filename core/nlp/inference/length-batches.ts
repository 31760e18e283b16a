/**
 * Dynamic batching by length for a padded model (a transformer). One run pads every row to
 * its longest, so a micro-batch that mixes 6-token and 60-token tweets spends most of a run on
 * padding. Sorting by length and cutting the sorted micro-batch into runs keeps each run's rows
 * of similar length; more runs cost fixed overhead (launches, copies, the binding's call), so
 * the cut is the one that minimises
 *
 *   sum over runs of (rows x padded width) + runCostTokens x runs
 *
 * under a token budget (rows x width <= maxTokens, which bounds a run's activation memory) and
 * a row limit. Contiguous cuts of the sorted order are enough: moving a narrow run's longest row
 * into a wider run in exchange for a shorter row widens neither run.
 */
export interface LengthBatchLimits {
  /** Most padded tokens (rows x width) one run may take; a single longer row still runs, alone. */
  readonly maxTokens: number;
  /** Most rows one run may take. */
  readonly maxRows: number;
  /** What one more run costs, as the model time of that many padded tokens. */
  readonly runCostTokens: number;
  /** Widths are rounded up to a multiple of this (1: exactly the longest row). */
  readonly padMultiple?: number;
  /** Rounding up stops here (the model's longest input); no row may be longer. */
  readonly maxWidth?: number;
}

export interface LengthBatch {
  /** The run's rows are `order.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  /** Padded length of every row of the run. */
  readonly width: number;
}

export interface LengthBatchPlan {
  /** Input indices, shortest first: order[k] is the input index of the k-th row laid end to end. */
  readonly order: readonly number[];
  /** Runs in order of width, covering `order` once. */
  readonly batches: readonly LengthBatch[];
}

/** What a padded model was fed, summed over runs: its padding waste is paddedTokens - realTokens. */
export interface TokenCounts {
  readonly runs: number;
  readonly rows: number;
  readonly realTokens: number;
  readonly paddedTokens: number;
}

export function planLengthBatches(lengths: readonly number[], limits: LengthBatchLimits): LengthBatchPlan {
  checkLimits(limits);
  const multiple = limits.padMultiple ?? 1;
  for (const [i, length] of lengths.entries()) {
    if (!Number.isInteger(length) || length < 0)
      throw new RangeError(`lengths[${i}]: must be a non-negative integer, got ${length}`);
    if (limits.maxWidth !== undefined && length > limits.maxWidth)
      throw new RangeError(`lengths[${i}]: ${length} is longer than maxWidth ${limits.maxWidth}`);
  }
  const widthOf = (length: number): number => {
    const rounded = Math.ceil(Math.max(1, length) / multiple) * multiple;
    return limits.maxWidth === undefined ? rounded : Math.max(length, Math.min(rounded, limits.maxWidth));
  };
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const n = order.length;
  // cost[j]: cheapest plan for the j shortest rows; cut[j]: where its last run starts.
  const cost = new Float64Array(n + 1);
  const cut = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) {
    // The run ending at row j - 1 is as wide as that row, the longest in it.
    const width = widthOf(lengths[order[j - 1]!]!);
    const mostRows = Math.max(1, Math.min(limits.maxRows, Math.floor(limits.maxTokens / width)));
    cost[j] = Number.POSITIVE_INFINITY;
    for (let rows = 1; rows <= Math.min(mostRows, j); rows++) {
      const c = cost[j - rows]! + rows * width + limits.runCostTokens;
      if (c < cost[j]!) {
        cost[j] = c;
        cut[j] = j - rows;
      }
    }
  }
  const batches: LengthBatch[] = [];
  for (let end = n; end > 0; end = cut[end]!) {
    batches.push({ start: cut[end]!, end, width: widthOf(lengths[order[end - 1]!]!) });
  }
  return { order, batches: batches.reverse() };
}

/** Results laid end to end in plan order (run after run), put back in input order. */
export function inInputOrder<T>(plan: LengthBatchPlan, resultsInPlanOrder: readonly T[]): T[] {
  if (resultsInPlanOrder.length !== plan.order.length)
    throw new Error(`${resultsInPlanOrder.length} results for ${plan.order.length} inputs`);
  const out = new Array<T>(plan.order.length);
  for (const [k, index] of plan.order.entries()) out[index] = resultsInPlanOrder[k]!;
  return out;
}

function checkLimits(limits: LengthBatchLimits): void {
  const positiveInteger = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new RangeError(`lengthBatching.${name}: must be a positive integer, got ${v}`);
  };
  positiveInteger('maxTokens', limits.maxTokens);
  positiveInteger('maxRows', limits.maxRows);
  positiveInteger('padMultiple', limits.padMultiple);
  positiveInteger('maxWidth', limits.maxWidth);
  if (!(Number.isFinite(limits.runCostTokens) && limits.runCostTokens >= 0))
    throw new RangeError(`lengthBatching.runCostTokens: must be zero or more, got ${limits.runCostTokens}`);
}
