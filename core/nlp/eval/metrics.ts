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

export interface LabelScores {
  readonly n: number;
  readonly accuracy: number;
  /** Mean per-class F1 over every class (TweetEval's offensive and hate measure). */
  readonly macroF1: number;
  /** Mean per-class recall over every class (SemEval 2017 task 4A's sentiment measure). */
  readonly macroRecall: number;
  readonly perClass: readonly { precision: number; recall: number; f1: number; support: number }[];
}

/** Scores of class indices 0..classes-1; a class absent from both sides scores 0 but still counts. */
export function labelScores(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): LabelScores {
  if (truth.length !== predicted.length) throw new Error('truth and predicted must have the same length');
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t === p) {
      correct++;
      tp[t]!++;
    } else {
      fp[p]!++;
      fn[t]!++;
    }
  }
  const perClass = tp.map((hits, c) => {
    const precision = hits + fp[c]! === 0 ? 0 : hits / (hits + fp[c]!);
    const recall = hits + fn[c]! === 0 ? 0 : hits / (hits + fn[c]!);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support: hits + fn[c]! };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    n: truth.length,
    accuracy: truth.length === 0 ? Number.NaN : correct / truth.length,
    macroF1: mean(perClass.map((c) => c.f1)),
    macroRecall: mean(perClass.map((c) => c.recall)),
    perClass,
  };
}
