import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../../containers/nlp/backends.ts';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { createEnricher } from '../../../containers/nlp/enrichment.ts';
import { DEFAULT_LENGTH_BATCHING } from '../../../containers/nlp/length-batching.ts';
import { SequenceClassifierSession } from '../../../containers/nlp/onnx-backend.ts';
import { scoreTweets } from '../../../containers/nlp/score.ts';
import { TransformerHeadsBackend } from '../../../containers/nlp/transformer-heads-backend.ts';
import { loadVaderLexicon } from '../../../containers/nlp/vader-lexicon-file.ts';
import type { SentimentBackend } from '../../../core/nlp/inference/backend.ts';
import { writeTinyRoberta } from '../../../core/nlp/model/tiny-roberta.ts';
import { runProcess } from '../../support/run-process.ts';
import {
  HEADS,
  layTinyHeads,
  productionBackend as productionBackendOf,
  TINY_TWEETS,
  type TinyHeads,
} from './tiny-heads.ts';

/**
 * The transformer path end to end: three tiny RoBERTa-shaped exports (random seeded weights,
 * byte-level BPE tokenizer, the input and output names of a Hugging Face RoBERTa
 * sequence-classification export) laid out as a deploy uploads cardiffnlp's three models,
 * one directory per head, and run through the worker's configuration, backend selection and
 * enrichment, and through `spate nlp score`.
 */
const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));

interface EnrichedOut {
  readonly id: string;
  readonly text: string;
  readonly cleanText?: string;
  readonly sentiment: { readonly model: string; readonly label: string; readonly score: number };
  readonly toxicity: { readonly offensive: number; readonly hate: number; readonly flags: string[] };
}

let heads: TinyHeads;
const productionBackend = (env: Record<string, string> = {}) => productionBackendOf(heads.modelDir, env);

async function score(backend: SentimentBackend): Promise<EnrichedOut[]> {
  const config = readNlpWorkerConfig({});
  const enricher = createEnricher(config, loadVaderLexicon());
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (d) => {
    out += String(d);
  });
  errors.on('data', (d) => {
    err += String(d);
  });
  input.end(`${TINY_TWEETS.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const summary = await scoreTweets(input, output, errors, enricher, backend);
  expect(err).toBe('');
  expect(summary).toEqual({ scored: TINY_TWEETS.length, rejected: 0 });
  return out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as EnrichedOut);
}

beforeAll(() => {
  heads = layTinyHeads();
});

afterAll(() => heads.remove());

describe('transformer path: one Hugging Face export per head, through the production code', () => {
  it('is what the worker opens for SPATE_NLP_MODEL_DIR holding sentiment/, offensive/ and hate/ (beside the shipped model)', async () => {
    const backend = await productionBackend();
    try {
      expect(backend).toBeInstanceOf(TransformerHeadsBackend);
      expect(backend.name).toBe('onnx');
      expect(backend.device).toBe('cpu');
      // 'auto' picks the heads too, as the worker does when SPATE_NLP_BACKEND is unset.
      const auto = await openBackend({ kind: 'auto', modelDir: heads.modelDir, device: 'cpu' });
      expect(auto).toBeInstanceOf(TransformerHeadsBackend);
      await auto.close();
    } finally {
      await backend.close();
    }
  });

  it('each head answers softmax rows in [0, 1] summing to 1, the same alone as padded in a batch', async () => {
    for (const head of Object.keys(HEADS)) {
      // One tensor padded to the longest tweet: what the attention mask has to make harmless.
      const session = await SequenceClassifierSession.load(join(heads.modelDir, head), {
        device: 'cpu',
        maxLength: 128,
        lengthBatching: { ...DEFAULT_LENGTH_BATCHING, enabled: false },
      });
      try {
        const texts = TINY_TWEETS.map((t) => t.text);
        const rows = await session.probabilities(texts);
        expect(rows).toHaveLength(texts.length);
        for (const row of rows) {
          expect(row).toHaveLength(HEADS[head as keyof typeof HEADS].labels.length);
          for (const p of row) {
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(1);
          }
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        }
        // The attention mask works: padding to the batch's longest text changes nothing.
        for (const [i, text] of texts.entries()) {
          const [alone] = await session.probabilities([text]);
          for (const [c, p] of alone!.entries()) expect(rows[i]![c]).toBeCloseTo(p, 4);
        }
        // Random weights, but not a constant function: different tweets, different answers.
        expect(new Set(rows.map((r) => r[0]!.toFixed(6))).size).toBeGreaterThan(1);
      } finally {
        await session.close();
      }
    }
  });

  it("maps each head's labels to tweets.enriched: sentiment.label, toxicity.offensive and toxicity.hate", async () => {
    const backend = await productionBackend();
    const sessions = Object.fromEntries(
      await Promise.all(
        Object.keys(HEADS).map(
          async (head) =>
            [
              head,
              await SequenceClassifierSession.load(join(heads.modelDir, head), {
                device: 'cpu',
                maxLength: 128,
              }),
            ] as const,
        ),
      ),
    );
    try {
      const out = await score(backend);
      expect(out.map((t) => t.id)).toEqual(TINY_TWEETS.map((t) => t.id));
      const texts = out.map((t) => t.cleanText ?? t.text);
      const scores = await backend.infer(texts);
      for (const [i, t] of out.entries()) {
        expect(t.sentiment.model).toBe('onnx');
        expect(['negative', 'neutral', 'positive']).toContain(t.sentiment.label);
        expect(Math.abs(t.sentiment.score)).toBeLessThanOrEqual(1);
        for (const kind of ['offensive', 'hate'] as const) {
          expect(t.toxicity[kind]).toBeGreaterThanOrEqual(0);
          expect(t.toxicity[kind]).toBeLessThanOrEqual(1);
        }
        expect(scores[i]!.toxicity).toBeDefined();
      }
      // The mapping itself: sentiment = P(positive) - P(negative), argmax label; offensive =
      // P("offensive") of the offensive head; hate = P("HATE") of the hate head.
      const [sent, off, hate] = await Promise.all([
        sessions.sentiment!.probabilities(texts),
        sessions.offensive!.probabilities(texts),
        sessions.hate!.probabilities(texts),
      ]);
      for (const [i, s] of scores.entries()) {
        const [neg, neu, pos] = sent[i]!;
        expect(s.sentiment.score).toBeCloseTo(pos! - neg!, 3);
        const best = Math.max(neg!, neu!, pos!);
        expect(s.sentiment.label).toBe(best === pos ? 'positive' : best === neg ? 'negative' : 'neutral');
        expect(s.toxicity!.offensive).toBeCloseTo(off![i]![1]!, 5);
        expect(s.toxicity!.hate).toBeCloseTo(hate![i]![1]!, 5);
      }
    } finally {
      await backend.close();
      for (const s of Object.values(sessions)) await s.close();
    }
  });

  it('model_fp16.onnx (float16 weights, Cast to float) loads with SPATE_NLP_PRECISION=fp16 and agrees with FP32', async () => {
    const fp32 = await productionBackend({ SPATE_NLP_PRECISION: 'fp32' });
    const fp16 = await productionBackend({ SPATE_NLP_PRECISION: 'fp16' });
    try {
      const texts = TINY_TWEETS.map((t) => t.text);
      const [a, b] = await Promise.all([fp32.infer(texts), fp16.infer(texts)]);
      for (const [i, x] of a.entries()) {
        const y = b[i]!;
        expect(Math.abs(x.sentiment.score - y.sentiment.score)).toBeLessThan(0.02);
        expect(Math.abs(x.toxicity!.offensive - y.toxicity!.offensive)).toBeLessThan(0.02);
        expect(Math.abs(x.toxicity!.hate - y.toxicity!.hate)).toBeLessThan(0.02);
      }
      // ...and it is the half-precision file that ran: its rounding shows in the last digits.
      expect(a.some((x, i) => x.toxicity!.offensive !== b[i]!.toxicity!.offensive)).toBe(true);
    } finally {
      await fp32.close();
      await fp16.close();
    }
  });

  it('runs through `spate nlp score --backend onnx --model <dir>` as a user runs it', async () => {
    const { stdout, stderr, code } = await runProcess(
      process.execPath,
      [SPATE, 'nlp', 'score', '--backend', 'onnx', '--model', heads.modelDir, '--device', 'cpu'],
      { input: `${TINY_TWEETS.map((t) => JSON.stringify(t)).join('\n')}\n`, timeoutMs: 60_000 },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((t) => t.id)).toEqual(TINY_TWEETS.map((t) => t.id));
    for (const t of out) {
      expect(t.sentiment.model).toBe('onnx');
      expect(['negative', 'neutral', 'positive']).toContain(t.sentiment.label);
      expect(t.toxicity.offensive).toBeGreaterThanOrEqual(0);
      expect(t.toxicity.hate).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a toxicity head whose labels name no offensive class', async () => {
    const bad = join(heads.modelDir, '..', 'bad');
    writeTinyRoberta(join(bad, 'sentiment'), { labels: HEADS.sentiment.labels, seed: 1 });
    writeTinyRoberta(join(bad, 'offensive'), { labels: ['a', 'b'], seed: 2 });
    writeTinyRoberta(join(bad, 'hate'), { labels: HEADS.hate.labels, seed: 3 });
    await expect(openBackend({ kind: 'onnx', modelDir: bad, device: 'cpu' })).rejects.toThrow(
      /no single "offensive" class/,
    );
  });
});
