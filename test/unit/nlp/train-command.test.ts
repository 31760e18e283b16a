import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../../containers/nlp/backends.ts';
import { HashedNgramBackend } from '../../../containers/nlp/hashed-ngram-backend.ts';
import { type TrainReport, trainTweetModel } from '../../../containers/nlp/train.ts';
import { syntheticTrainingFiles } from './synthetic-tweets.ts';

let dir: string;
let report: TrainReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spate-nlp-train-'));
  mkdirData(join(dir, 'data'));
  report = await trainTweetModel({
    data: join(dir, 'data'),
    out: join(dir, 'model'),
    seed: 5,
    buckets: 1 << 12,
    measureSpeed: false,
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mkdirData(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  for (const [file, content] of Object.entries(syntheticTrainingFiles(120, 11)))
    writeFileSync(join(path, file), content);
}

describe('spate nlp train on a synthetic set', () => {
  it('holds out a stratified share of each file and scores every head well on it', () => {
    expect(report.heads.map((h) => h.head.name)).toEqual(['sentiment', 'offensive', 'hate']);
    for (const h of report.heads) {
      expect(h.counts.train + h.counts.dev + h.counts.test).toBe(h.counts.total);
      expect(h.counts.test / h.counts.total).toBeCloseTo(0.12, 2);
      expect(h.model.accuracy, h.head.name).toBeGreaterThanOrEqual(0.9);
    }
    expect(report.maxGraphDifference).toBeLessThan(1e-5);
  });

  it('writes the model, its config and the card with the command that reproduces it', () => {
    const out = join(dir, 'model');
    expect(existsSync(join(out, 'model.onnx'))).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('spate-hashed-ngrams');
    const card = readFileSync(join(out, 'MODEL.md'), 'utf8');
    expect(card).toContain('npx spate nlp train --data ../shared/data/tweets --seed 5 --buckets 4096');
    expect(card).toContain(report.sha256);
  });

  it('is the model openBackend runs, with toxicity probabilities in [0, 1]', async () => {
    const backend = await openBackend({ kind: 'auto', modelDir: join(dir, 'model'), device: 'cpu' });
    try {
      expect(backend).toBeInstanceOf(HashedNgramBackend);
      const [clean, rude] = await backend.infer(['the train arrives at noon', 'you idiot moron clown']);
      for (const s of [clean!, rude!]) {
        expect(s.toxicity!.offensive).toBeGreaterThanOrEqual(0);
        expect(s.toxicity!.offensive).toBeLessThanOrEqual(1);
        expect(s.toxicity!.hate).toBeGreaterThanOrEqual(0);
        expect(s.toxicity!.hate).toBeLessThanOrEqual(1);
      }
      expect(rude!.toxicity!.offensive).toBeGreaterThan(0.5);
      expect(clean!.toxicity!.offensive).toBeLessThan(0.5);
    } finally {
      await backend.close();
    }
  });

  it('trains the same bytes from the same data and seed', async () => {
    const again = await trainTweetModel({
      data: join(dir, 'data'),
      out: join(dir, 'again'),
      seed: 5,
      buckets: 1 << 12,
      measureSpeed: false,
    });
    expect(again.sha256).toBe(report.sha256);
  }, 120_000);
});
