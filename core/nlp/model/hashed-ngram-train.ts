import { seededRandom } from '../../seeded-random.ts';
import { labelScores } from '../eval/metrics.ts';
import {
  DENSE_FEATURES,
  type FeatureRow,
  type HashedNgramSpec,
  type HashedNgramWeights,
  type HeadSpec,
  headOutputs,
  sigmoid,
  softmax,
} from '../inference/hashed-ngrams.ts';

/**
 * Training of the hashed n-gram model's heads, in TypeScript and seeded: the same rows and
 * seed give the same weights. Each head owns its columns of the shared table (its rows are
 * per-class weights of each hashed feature), so a head is a class-weighted logistic (or
 * softmax) regression over the features, trained by AdaGrad with L2, stopped early on a dev
 * slice, then calibrated on it: a binary head's threshold for the best macro-F1 becomes 0.5,
 * and the sentiment head's class offsets are set for the best macro-averaged recall.
 */
export interface HeadExamples {
  readonly rows: readonly FeatureRow[];
  /** Class index per row, into the head's labels. */
  readonly labels: Int32Array;
}

export interface HeadTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  /** Epochs without a better dev score before training stops. */
  readonly patience: number;
}

export interface TrainedHead {
  readonly head: HeadSpec;
  /** [buckets, outputs]: the head's columns of the table. */
  readonly table: Float32Array;
  /** [F, outputs] over the raw dense features, and the bias (calibration included). */
  readonly dense: Float32Array;
  readonly bias: Float32Array;
  /** Dev score of the kept epoch: macro-recall for a softmax head, macro-F1 for a sigmoid head. */
  readonly devScore: number;
  readonly epochs: number;
}

const INITIAL_ACCUMULATOR = 0.1;

export function trainHead(
  head: HeadSpec,
  spec: HashedNgramSpec,
  train: HeadExamples,
  dev: HeadExamples,
  o: HeadTrainingOptions,
): TrainedHead {
  const n = headOutputs(head);
  const f = DENSE_FEATURES.length;
  const classes = head.labels.length;
  // Dense features standardised for training; folded back into the weights at the end.
  const mean = new Float64Array(f);
  const std = new Float64Array(f);
  for (const r of train.rows) for (let k = 0; k < f; k++) mean[k]! += r.dense[k]! / train.rows.length;
  for (const r of train.rows)
    for (let k = 0; k < f; k++) std[k]! += (r.dense[k]! - mean[k]!) ** 2 / train.rows.length;
  for (let k = 0; k < f; k++) std[k] = Math.sqrt(std[k]!) || 1;

  const counts = new Array<number>(classes).fill(0);
  for (const y of train.labels) counts[y]!++;
  // Balanced classes: each class weighs as much as the others in the loss, whatever its share.
  const classWeight = counts.map((c) => (c === 0 ? 0 : train.rows.length / (classes * c)));

  const table = new Float32Array(spec.buckets * n);
  const tableG = new Float32Array(spec.buckets * n).fill(INITIAL_ACCUMULATOR);
  const dense = new Float64Array(f * n);
  const denseG = new Float64Array(f * n).fill(INITIAL_ACCUMULATOR);
  const bias = new Float64Array(n);
  const biasG = new Float64Array(n).fill(INITIAL_ACCUMULATOR);
  const x = new Float64Array(f);
  const logits = new Float64Array(n);
  const grad = new Float64Array(n);

  const score = (row: FeatureRow, out: Float64Array) => {
    for (let k = 0; k < f; k++) x[k] = (row.dense[k]! - mean[k]!) / std[k]!;
    for (let c = 0; c < n; c++) {
      let s = bias[c]!;
      for (let t = 0; t < row.ids.length; t++) s += row.weights[t]! * table[row.ids[t]! * n + c]!;
      for (let k = 0; k < f; k++) s += x[k]! * dense[k * n + c]!;
      out[c] = s;
    }
  };
  const devLogits = (): Float64Array[] =>
    dev.rows.map((r) => {
      const out = new Float64Array(n);
      score(r, out);
      return out;
    });
  const devScore = (all: readonly Float64Array[], offsets: readonly number[] = []): number => {
    const predicted = all.map((z) => predict(head, z, offsets));
    const s = labelScores(dev.labels, predicted, classes);
    return head.activation === 'softmax' ? s.macroRecall : s.macroF1;
  };

  const random = seededRandom(o.seed);
  const order = Array.from(train.rows.keys());
  let best = { score: -1, epoch: 0, table: table.slice(), dense: dense.slice(), bias: bias.slice() };
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const row = train.rows[index]!;
      const y = train.labels[index]!;
      score(row, logits);
      const w = classWeight[y]!;
      if (head.activation === 'softmax') {
        const p = softmax([...logits]);
        for (let c = 0; c < n; c++) grad[c] = w * (p[c]! - (c === y ? 1 : 0));
      } else {
        grad[0] = w * (sigmoid(logits[0]!) - (y === 1 ? 1 : 0));
      }
      for (let c = 0; c < n; c++) {
        const g = grad[c]!;
        for (let t = 0; t < row.ids.length; t++) {
          const at = row.ids[t]! * n + c;
          const gt = g * row.weights[t]! + o.l2 * table[at]!;
          tableG[at]! += gt * gt;
          table[at]! -= (o.learningRate * gt) / Math.sqrt(tableG[at]!);
        }
        for (let k = 0; k < f; k++) {
          const at = k * n + c;
          const gk = g * x[k]! + o.l2 * dense[at]!;
          denseG[at]! += gk * gk;
          dense[at]! -= (o.learningRate * gk) / Math.sqrt(denseG[at]!);
        }
        biasG[c]! += g * g;
        bias[c]! -= (o.learningRate * g) / Math.sqrt(biasG[c]!);
      }
    }
    const s = devScore(devLogits());
    if (s > best.score)
      best = { score: s, epoch, table: table.slice(), dense: dense.slice(), bias: bias.slice() };
    else if (epoch - best.epoch >= o.patience) break;
  }
  table.set(best.table);
  dense.set(best.dense);
  bias.set(best.bias);

  const offsets = calibrate(head, devLogits(), (all, off) => devScore(all, off));
  // Fold standardisation and calibration into plain weights over the raw features.
  const foldedDense = new Float32Array(f * n);
  const foldedBias = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    let b = bias[c]! + (offsets[c] ?? 0);
    for (let k = 0; k < f; k++) {
      foldedDense[k * n + c] = dense[k * n + c]! / std[k]!;
      b -= (dense[k * n + c]! * mean[k]!) / std[k]!;
    }
    foldedBias[c] = b;
  }
  const finalLogits = devLogits().map((z) => z.map((v, c) => v + (offsets[c] ?? 0)));
  return {
    head,
    table,
    dense: foldedDense,
    bias: foldedBias,
    devScore: devScore(finalLogits),
    epochs: best.epoch,
  };
}

function predict(head: HeadSpec, z: Float64Array, offsets: readonly number[]): number {
  if (head.activation === 'sigmoid') return z[0]! + (offsets[0] ?? 0) >= 0 ? 1 : 0;
  let arg = 0;
  for (let c = 1; c < z.length; c++) if (z[c]! + (offsets[c] ?? 0) > z[arg]! + (offsets[arg] ?? 0)) arg = c;
  return arg;
}

/**
 * Logit offsets that the dev slice scores best with. A sigmoid head's offset moves its
 * threshold (kept within 0.25-0.75 so a small slice cannot push it far); a softmax head's
 * offsets shift each class against the first one, on a coarse grid.
 */
function calibrate(
  head: HeadSpec,
  logits: readonly Float64Array[],
  scoreWith: (all: readonly Float64Array[], offsets: readonly number[]) => number,
): number[] {
  if (head.activation === 'sigmoid') {
    let best = { score: scoreWith(logits, [0]), offset: 0 };
    for (let t = 0.25; t <= 0.75 + 1e-9; t += 0.01) {
      const offset = -Math.log(t / (1 - t));
      const s = scoreWith(logits, [offset]);
      if (s > best.score + 1e-9) best = { score: s, offset };
    }
    return [best.offset];
  }
  const n = logits[0]?.length ?? head.labels.length;
  const offsets = new Array<number>(n).fill(0);
  let bestScore = scoreWith(logits, offsets);
  // Coordinate search, two passes: each class's offset in [-1, 1], the others held.
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 1; c < n; c++) {
      let bestOffset = offsets[c]!;
      for (let d = -1; d <= 1 + 1e-9; d += 0.05) {
        offsets[c] = d;
        const s = scoreWith(logits, offsets);
        if (s > bestScore + 1e-9) {
          bestScore = s;
          bestOffset = d;
        }
      }
      offsets[c] = bestOffset;
    }
  }
  return offsets;
}

/** The trained heads as one model: their table columns side by side, each head reading its own. */
export function assembleModel(spec: HashedNgramSpec, heads: readonly TrainedHead[]): HashedNgramWeights {
  const dim = heads.reduce((d, h) => d + headOutputs(h.head), 0);
  const f = DENSE_FEATURES.length;
  const table = new Float32Array(spec.buckets * dim);
  let column = 0;
  const out: HashedNgramWeights['heads'][number][] = [];
  for (const h of heads) {
    const n = headOutputs(h.head);
    for (let b = 0; b < spec.buckets; b++)
      for (let c = 0; c < n; c++) table[b * dim + column + c] = h.table[b * n + c]!;
    const weight = new Float32Array((dim + f) * n);
    for (let c = 0; c < n; c++) {
      weight[(column + c) * n + c] = 1;
      for (let k = 0; k < f; k++) weight[(dim + k) * n + c] = h.dense[k * n + c]!;
    }
    out.push({ ...h.head, weight, bias: h.bias.slice() });
    column += n;
  }
  return { spec, dim, table, heads: out };
}
