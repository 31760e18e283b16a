import { SENTIMENT_LABELS, type SentimentLabel } from '../sentiment.ts';

/** Pearson's r; NaN when fewer than two pairs or either side is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

export interface ClassificationScores {
  readonly accuracy: number;
  /** Unweighted mean of the per-class F1 over the classes that occur in truth or predictions. */
  readonly macroF1: number;
  readonly perClass: Readonly<Record<SentimentLabel, { precision: number; recall: number; f1: number }>>;
}

export function classificationScores(
  truth: readonly SentimentLabel[],
  predicted: readonly SentimentLabel[],
): ClassificationScores {
  if (truth.length !== predicted.length) throw new Error('truth and predicted must have the same length');
  let correct = 0;
  const perClass = {} as Record<SentimentLabel, { precision: number; recall: number; f1: number }>;
  const f1s: number[] = [];
  for (const [i, t] of truth.entries()) if (predicted[i] === t) correct++;
  for (const label of SENTIMENT_LABELS) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const [i, t] of truth.entries()) {
      const p = predicted[i];
      if (p === label && t === label) tp++;
      else if (p === label) fp++;
      else if (t === label) fn++;
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { precision, recall, f1 };
    if (tp + fp + fn > 0) f1s.push(f1);
  }
  return {
    accuracy: truth.length === 0 ? Number.NaN : correct / truth.length,
    macroF1: f1s.length === 0 ? Number.NaN : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    perClass,
  };
}
