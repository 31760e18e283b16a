import { mulberry32 } from './corpus.ts';
import type { ClassifierWeights } from './onnx-graph.ts';

/**
 * Training of the shipped classifier (the graph of onnx-graph.ts) by plain SGD on softmax
 * cross-entropy, in TypeScript, seeded: the same data and seed give the same weights.
 */
export interface TrainingExample {
  readonly ids: readonly number[];
  readonly label: number;
}

export interface TrainingOptions {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly inner: number;
  readonly classes: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly seed: number;
}

export function trainClassifier(examples: readonly TrainingExample[], o: TrainingOptions): ClassifierWeights {
  const rnd = mulberry32(o.seed);
  const init = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  const E = init(o.vocabSize * o.hidden, 0.1);
  const W1 = init(o.hidden * o.inner, Math.sqrt(6 / (o.hidden + o.inner)));
  const b1 = new Float32Array(o.inner);
  const W2 = init(o.inner * o.classes, Math.sqrt(6 / (o.inner + o.classes)));
  const b2 = new Float32Array(o.classes);

  const pooled = new Float64Array(o.hidden);
  const z1 = new Float64Array(o.inner);
  const h = new Float64Array(o.inner);
  const p = new Float64Array(o.classes);
  const dh = new Float64Array(o.inner);
  const dpooled = new Float64Array(o.hidden);
  const order = examples.map((_, i) => i);

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const lr = o.learningRate * (1 - epoch / o.epochs) + 1e-3;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const { ids, label } = examples[index]!;
      const n = ids.length;
      pooled.fill(0);
      for (const id of ids) for (let k = 0; k < o.hidden; k++) pooled[k]! += E[id * o.hidden + k]! / n;
      for (let j = 0; j < o.inner; j++) {
        let s = b1[j]!;
        for (let k = 0; k < o.hidden; k++) s += pooled[k]! * W1[k * o.inner + j]!;
        z1[j] = s;
        h[j] = Math.max(s, 0);
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < o.classes; c++) {
        let s = b2[c]!;
        for (let j = 0; j < o.inner; j++) s += h[j]! * W2[j * o.classes + c]!;
        p[c] = s;
        max = Math.max(max, s);
      }
      let sum = 0;
      for (let c = 0; c < o.classes; c++) {
        p[c] = Math.exp(p[c]! - max);
        sum += p[c]!;
      }
      // Backward: d(loss)/d(logits) = p - onehot.
      dh.fill(0);
      for (let c = 0; c < o.classes; c++) {
        const d = p[c]! / sum - (c === label ? 1 : 0);
        for (let j = 0; j < o.inner; j++) {
          dh[j]! += d * W2[j * o.classes + c]!;
          W2[j * o.classes + c]! -= lr * d * h[j]!;
        }
        b2[c]! -= lr * d;
      }
      dpooled.fill(0);
      for (let j = 0; j < o.inner; j++) {
        if (z1[j]! <= 0) continue;
        const d = dh[j]!;
        for (let k = 0; k < o.hidden; k++) {
          dpooled[k]! += d * W1[k * o.inner + j]!;
          W1[k * o.inner + j]! -= lr * d * pooled[k]!;
        }
        b1[j]! -= lr * d;
      }
      for (const id of ids)
        for (let k = 0; k < o.hidden; k++) E[id * o.hidden + k]! -= (lr * dpooled[k]!) / n;
    }
  }
  return {
    vocabSize: o.vocabSize,
    hidden: o.hidden,
    inner: o.inner,
    classes: o.classes,
    embedding: E,
    w1: W1,
    b1,
    w2: W2,
    b2,
  };
}
