import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../../containers/nlp/backends.ts';
import { DEFAULT_LENGTH_BATCHING } from '../../../containers/nlp/length-batching.ts';
import { OnnxBackend } from '../../../containers/nlp/onnx-backend.ts';
import { classifierOnnx } from '../../../core/nlp/model/onnx-graph.ts';
import {
  SPECIAL_TOKENS,
  TOKENIZER_CONFIG,
  tokenizerJson,
} from '../../../core/nlp/model/wordpiece-tokenizer.ts';

/**
 * A Hugging Face-style sequence classifier written for the test: a WordPiece tokenizer.json,
 * config.json with id2label, and a bag-of-embeddings graph with the export's input and output
 * names, its weights set by hand (positive words on one axis, negative on the other).
 */
const POSITIVE = ['love', 'amazing', 'great'];
const NEGATIVE = ['terrible', 'hate', 'awful'];
let hfDir: string;

beforeAll(() => {
  hfDir = mkdtempSync(join(tmpdir(), 'spate-hf-model-'));
  const vocabulary = [...SPECIAL_TOKENS, ...POSITIVE, ...NEGATIVE, 'the', 'i', 'phone', ','];
  const embedding = new Float32Array(vocabulary.length * 2);
  for (const [i, w] of vocabulary.entries()) {
    if (POSITIVE.includes(w)) embedding[i * 2] = 1;
    if (NEGATIVE.includes(w)) embedding[i * 2 + 1] = 1;
  }
  const onnx = classifierOnnx({
    vocabSize: vocabulary.length,
    hidden: 2,
    inner: 2,
    classes: 3,
    embedding,
    w1: Float32Array.of(1, 0, 0, 1),
    b1: Float32Array.of(0, 0),
    // h0 (positive words) -> positive, h1 (negative words) -> negative; neutral when neither.
    w2: Float32Array.of(0, 0, 20, 20, 0, 0),
    b2: Float32Array.of(0, 1, 0),
  });
  writeFileSync(join(hfDir, 'model.onnx'), onnx);
  writeFileSync(join(hfDir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocabulary)));
  writeFileSync(join(hfDir, 'tokenizer_config.json'), JSON.stringify(TOKENIZER_CONFIG));
  writeFileSync(
    join(hfDir, 'config.json'),
    JSON.stringify({ id2label: { 0: 'NEG', 1: 'NEU', 2: 'POS' }, pad_token_id: 0 }),
  );
});

afterAll(() => rmSync(hfDir, { recursive: true, force: true }));

describe('ONNX backend on CPU with a Hugging Face-style export', () => {
  it('loads on the CPU provider, maps the labels and reads clear sentiment right', async () => {
    const backend = await OnnxBackend.load(hfDir, { device: 'auto', maxLength: 128 });
    try {
      expect(backend.device).toBe('cpu');
      const out = await backend.infer([
        'i love this phone , the camera is amazing',
        'the delivery was terrible and i hate the app',
        'the store opens at 9 am tomorrow',
      ]);
      expect(out.map((s) => s.sentiment.label)).toEqual(['positive', 'negative', 'neutral']);
      for (const s of out) {
        expect(Math.abs(s.sentiment.score)).toBeLessThanOrEqual(1);
        // One head: toxicity is left to the risk rules.
        expect(s.toxicity).toBeUndefined();
      }
    } finally {
      await backend.close();
    }
  });

  it('is what openBackend opens for a directory that holds one', async () => {
    const backend = await openBackend({ kind: 'auto', modelDir: hfDir, device: 'cpu' });
    try {
      expect(backend).toBeInstanceOf(OnnxBackend);
    } finally {
      await backend.close();
    }
  });

  it('gives the same answer for a text alone and padded inside a batch', async () => {
    // Without length batching, so that the short text really is padded to the long one.
    const lengthBatching = { ...DEFAULT_LENGTH_BATCHING, enabled: false };
    const backend = await OnnxBackend.load(hfDir, { device: 'cpu', maxLength: 16, lengthBatching });
    const batching = await OnnxBackend.load(hfDir, { device: 'cpu', maxLength: 16 });
    try {
      const short = 'great service';
      const long = 'the courier lost my parcel , nobody answers the phone and the refund never came , awful';
      const [alone] = await backend.infer([short]);
      const [inBatch] = await backend.infer([short, long]);
      expect(inBatch!.sentiment.score).toBeCloseTo(alone!.sentiment.score, 5);
      // Alone, the short text ran unpadded; beside the long one, both rows took its 16 tokens.
      expect(backend.tokenCounts.paddedTokens).toBe(backend.lengthOf(short) + 2 * 16);
      // The micro-batcher buckets by this length; a backend that batches by length itself says 0.
      expect(backend.lengthOf(long)).toBe(16);
      expect(batching.lengthOf(long)).toBe(0);
    } finally {
      await backend.close();
      await batching.close();
    }
  });

  it('fails clearly on a missing model file', async () => {
    await expect(OnnxBackend.load('/nonexistent-model-dir', { device: 'cpu', maxLength: 8 })).rejects.toThrow(
      /config\.json is missing/,
    );
  });

  it('writes a graph that ONNX Runtime computes as the reference maths says', async () => {
    const w = {
      vocabSize: 4,
      hidden: 2,
      inner: 2,
      classes: 3,
      embedding: Float32Array.of(0, 0, 1, 2, -1, 0.5, 3, -2),
      w1: Float32Array.of(1, -1, 0.5, 2),
      b1: Float32Array.of(0.1, -0.2),
      w2: Float32Array.of(1, 0, -1, 0.5, 1, 2),
      b2: Float32Array.of(0, 0.1, 0.2),
    };
    const session = await ort.InferenceSession.create(classifierOnnx(w));
    const ids = [1, 2, 3, 0];
    const mask = [1, 1, 1, 0];
    const out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, 4]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.map(BigInt)), [1, 4]),
    });
    // pooled = mean of rows 1..3 = [1, 0.1667]; h = relu(pooled W1 + b1); logits = h W2 + b2
    const pooled = [(1 - 1 + 3) / 3, (2 + 0.5 - 2) / 3];
    const h = [0, 1].map((j) => Math.max(0, pooled[0]! * w.w1[j]! + pooled[1]! * w.w1[2 + j]! + w.b1[j]!));
    const expected = [0, 1, 2].map((c) => h[0]! * w.w2[c]! + h[1]! * w.w2[3 + c]! + w.b2[c]!);
    expect([...(out.logits!.data as Float32Array)].map((x) => Number(x.toFixed(4)))).toEqual(
      expected.map((x) => Number(x.toFixed(4))),
    );
    await session.release();
  });
});
