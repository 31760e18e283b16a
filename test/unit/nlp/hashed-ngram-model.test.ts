import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPEC,
  DENSE_FEATURES,
  type FeatureRow,
  forward,
  HashedNgramFeaturizer,
  type HashedNgramWeights,
  packFeatures,
} from '../../../core/nlp/inference/hashed-ngrams.ts';
import { parseVaderLexicon } from '../../../core/nlp/inference/vader-lexicon.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../../core/nlp/model/float16.ts';
import { hashedNgramOnnx, roundToFloat16 } from '../../../core/nlp/model/hashed-ngram-graph.ts';
import { assembleModel, trainHead } from '../../../core/nlp/model/hashed-ngram-train.ts';
import { HEADS, parseLabelledSet } from '../../../core/nlp/model/labelled-sets.ts';
import { stratifiedSplit } from '../../../core/nlp/model/split.ts';
import { syntheticTrainingFiles } from './synthetic-tweets.ts';

const lexicon = parseVaderLexicon(
  readFileSync(createRequire(import.meta.url).resolve('vader-sentiment/vader_lexicon.txt'), 'utf8'),
);
const spec = { ...DEFAULT_SPEC, buckets: 1 << 12 };
const featurizer = new HashedNgramFeaturizer(spec, lexicon);
const files = syntheticTrainingFiles(150, 3);

function trainSynthetic(): {
  weights: HashedNgramWeights;
  test: Map<string, { rows: FeatureRow[]; labels: number[] }>;
} {
  const trained = [];
  const test = new Map<string, { rows: FeatureRow[]; labels: number[] }>();
  for (const head of HEADS) {
    const rows = parseLabelledSet(files[`${head.name}.jsonl`]!, head, head.name);
    const split = stratifiedSplit(
      rows,
      (r) => String(r.label),
      (r) => r.key,
      { seed: 1, test: 0.2, dev: 0.15 },
    );
    const examples = (part: typeof rows) => ({
      rows: part.map((r) => featurizer.featurize(r.text)),
      labels: Int32Array.from(part.map((r) => r.label)),
    });
    trained.push(
      trainHead(head, spec, examples(split.train), examples(split.dev), {
        epochs: 8,
        learningRate: 0.2,
        l2: 0,
        seed: 1,
        patience: 2,
      }),
    );
    const t = examples(split.test);
    test.set(head.name, { rows: t.rows, labels: [...t.labels] });
  }
  return { weights: assembleModel(spec, trained), test };
}

async function runGraph(onnx: Uint8Array, rows: readonly FeatureRow[]) {
  const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'] });
  try {
    const batch = packFeatures(rows);
    const out = await session.run({
      input_ids: new ort.Tensor('int64', batch.ids, [batch.rows, batch.width]),
      weights: new ort.Tensor('float32', batch.weights, [batch.rows, batch.width]),
      dense: new ort.Tensor('float32', batch.dense, [batch.rows, DENSE_FEATURES.length]),
    });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...(v.data as Float32Array)]]));
  } finally {
    await session.release();
  }
}

describe('training the hashed n-gram model', () => {
  const { weights, test } = trainSynthetic();

  it('learns each head of a small synthetic set to a clear accuracy on its held-out part', () => {
    for (const head of weights.heads) {
      const { rows, labels } = test.get(head.name)!;
      const probs = forward(weights, rows).get(head.name)!;
      const predicted = probs.map((p) =>
        p.length === 1 ? (p[0]! >= 0.5 ? 1 : 0) : p.indexOf(Math.max(...p)),
      );
      const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
      expect(accuracy, head.name).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('exports an ONNX graph that ONNX Runtime runs to the TypeScript forward pass', async () => {
    const rows = [...test.values()].flatMap((t) => t.rows).slice(0, 64);
    const graph = await runGraph(hashedNgramOnnx(weights), rows);
    const reference = forward(weights, rows);
    expect(Object.keys(graph).sort()).toEqual(['hate', 'offensive', 'sentiment']);
    for (const [name, probs] of reference) {
      const flat = probs.flat();
      expect(graph[name]).toHaveLength(flat.length);
      for (const [i, p] of flat.entries()) expect(graph[name]![i]).toBeCloseTo(p, 5);
    }
    for (let r = 0; r < rows.length; r++) {
      const sum = graph.sentiment!.slice(r * 3, r * 3 + 3).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('stores the table in half precision when asked, and still matches the forward pass', async () => {
    const half = { ...weights, table: roundToFloat16(weights.table) };
    const onnx = hashedNgramOnnx(half, { float16: true });
    expect(onnx.length).toBeLessThan(hashedNgramOnnx(weights).length * 0.6);
    const rows = test.get('offensive')!.rows.slice(0, 32);
    const graph = await runGraph(onnx, rows);
    const reference = forward(half, rows).get('offensive')!.flat();
    for (const [i, p] of reference.entries()) expect(graph.offensive![i]).toBeCloseTo(p, 5);
  });
});

describe('half precision', () => {
  it('converts as IEEE 754 binary16 does', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(fromFloat16Bits(toFloat16Bits(0.1))).toBe(0.0999755859375);
    expect(fromFloat16Bits(toFloat16Bits(2 ** -20))).toBe(2 ** -20);
    expect(toFloat16Bits(1e-9)).toBe(0);
  });
});

describe('the held-out split', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => ({ key: `id-${i}`, label: i % 10 < 3 ? 'a' : 'b' }));
  const split = stratifiedSplit(
    rows,
    (r) => r.label,
    (r) => r.key,
    { seed: 7, test: 0.1, dev: 0.1 },
  );

  it('holds out the same share of each label', () => {
    expect(split.test.filter((r) => r.label === 'a')).toHaveLength(30);
    expect(split.test.filter((r) => r.label === 'b')).toHaveLength(70);
    expect(split.dev).toHaveLength(90);
    expect(split.train).toHaveLength(810);
  });

  it('depends on the seed and the keys, not on the order of the rows', () => {
    const reversed = stratifiedSplit(
      [...rows].reverse(),
      (r) => r.label,
      (r) => r.key,
      { seed: 7, test: 0.1, dev: 0.1 },
    );
    expect(new Set(reversed.test.map((r) => r.key))).toEqual(new Set(split.test.map((r) => r.key)));
    const other = stratifiedSplit(
      rows,
      (r) => r.label,
      (r) => r.key,
      { seed: 8, test: 0.1, dev: 0.1 },
    );
    expect(new Set(other.test.map((r) => r.key))).not.toEqual(new Set(split.test.map((r) => r.key)));
  });
});
