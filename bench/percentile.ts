/**
 * Nearest-rank percentile: the smallest value with at least p % of the values at or below it,
 * the rule every bench report uses. Values that are not numbers (a visit that never recorded a
 * timing) are left out; none at all gives NaN.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
