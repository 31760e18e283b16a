import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PreparedTweet, TweetEnricher } from '../../core/nlp/enrich.ts';
import { type LabelScores, labelScores } from '../../core/nlp/eval/metrics.ts';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import {
  DEFAULT_SPEC,
  DENSE_FEATURES,
  type FeatureRow,
  forward,
  HashedNgramFeaturizer,
  type HashedNgramSpec,
  type HashedNgramWeights,
  type HeadSpec,
  hashedNgramConfigJson,
} from '../../core/nlp/inference/hashed-ngrams.ts';
import { LexiconBackend } from '../../core/nlp/inference/lexicon-backend.ts';
import { hashedNgramOnnx, roundToFloat16 } from '../../core/nlp/model/hashed-ngram-graph.ts';
import {
  assembleModel,
  type HeadExamples,
  type TrainedHead,
  trainHead,
} from '../../core/nlp/model/hashed-ngram-train.ts';
import { HEADS, type LabelledRow, parseLabelledSet } from '../../core/nlp/model/labelled-sets.ts';
import { type Split, stratifiedSplit } from '../../core/nlp/model/split.ts';
import { SENTIMENT_LABELS } from '../../core/nlp/sentiment.ts';
import { parseRawTweet } from '../../core/nlp/tweet.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { completeTweets, createEnricher } from './enrichment.ts';
import { HashedNgramBackend } from './hashed-ngram-backend.ts';
import { type ModelCard, renderModelCard } from './model-card.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

/**
 * `spate nlp train`: the shipped tweet model from labelled tweets, reproducibly. Reads one
 * file per head, holds a stratified share of each out (fixed by the seed and each tweet's
 * normalised text), trains the heads on the rest (a dev slice of it for early stopping and
 * calibration), writes model.onnx and config.json, then scores the written model through
 * the worker's own backend on the held-out tweets, beside the lexicon and risk rules, and
 * writes the model card (MODEL.md).
 */
export interface TrainOptions {
  /** Directory holding sentiment.jsonl, offensive.jsonl and hate.jsonl. */
  readonly data: string;
  readonly out: string;
  readonly seed: number;
  readonly buckets?: number;
  /** Half-precision table: half the file, the same scores to about four decimals. */
  readonly float16?: boolean;
  /** Off in tests: the speed runs take a few seconds. */
  readonly measureSpeed?: boolean;
  readonly log?: (line: string) => void;
}

export const SPLIT_SHARES = { test: 0.12, dev: 0.1 } as const;
/** AdaGrad settings tried per head; the dev slice picks. */
const GRID = [
  { learningRate: 0.1, l2: 0 },
  { learningRate: 0.2, l2: 0 },
  { learningRate: 0.1, l2: 1e-5 },
  { learningRate: 0.2, l2: 1e-5 },
] as const;
const EPOCHS = 12;
const PATIENCE = 2;

export interface HeadReport {
  readonly head: HeadSpec;
  readonly file: string;
  readonly counts: {
    readonly total: number;
    readonly train: number;
    readonly dev: number;
    readonly test: number;
  };
  readonly labelCounts: Readonly<Record<string, number>>;
  readonly chosen: {
    readonly learningRate: number;
    readonly l2: number;
    readonly epochs: number;
    readonly dev: number;
  };
  readonly model: LabelScores;
  /** 95 % bootstrap interval of the head's measure (macro-recall for sentiment, macro-F1 otherwise) on the held-out part. */
  readonly interval: readonly [number, number];
  /** The lexicon (sentiment) or the risk rules at score >= 0.5 (offensive, hate), on the same tweets. */
  readonly rules: LabelScores;
  /**
   * A FastText-like reference trained by the same code on the same split: word unigrams and
   * bigrams only, no character n-grams, no dense features.
   */
  readonly wordNgrams: LabelScores;
}

export interface TrainReport {
  readonly heads: readonly HeadReport[];
  readonly trainSeconds: number;
  readonly modelBytes: number;
  readonly sha256: string;
  /** Largest difference between the graph's probabilities and the TypeScript forward pass. */
  readonly maxGraphDifference: number;
  readonly speed: { readonly modelPerCore: number; readonly pipelinePerCore: number };
}

export async function trainTweetModel(o: TrainOptions): Promise<TrainReport> {
  const log = o.log ?? (() => {});
  const started = performance.now();
  const lexicon = loadVaderLexicon();
  const spec: HashedNgramSpec = {
    ...DEFAULT_SPEC,
    ...(o.buckets !== undefined ? { buckets: o.buckets } : {}),
  };
  const featurizer = new HashedNgramFeaturizer(spec, lexicon);
  const enricher = () =>
    createEnricher({ targetLanguages: ['en'], duplicateWindow: 1000, toxicityThreshold: 0.5 }, lexicon);

  interface Prepared {
    readonly row: LabelledRow;
    readonly prepared: PreparedTweet;
    readonly features: FeatureRow;
  }
  const sets: { head: HeadSpec; file: string; total: number; split: Split<Prepared> }[] = [];
  for (const head of HEADS) {
    const file = join(o.data, `${head.name}.jsonl`);
    if (!existsSync(file)) throw new Error(`--data ${o.data}: ${head.name}.jsonl is missing`);
    const rows = parseLabelledSet(readFileSync(file, 'utf8'), head, file);
    // The model reads what the worker gives it: the enricher's normalised text.
    const e = enricher();
    const prepared = rows.map((row, i): Prepared => {
      const p = e.prepare(parseRawTweet({ id: `train-${i}`, text: row.text }));
      return { row, prepared: p, features: featurizer.featurize(p.modelText) };
    });
    // Keyed by the normalised text rather than the id: copies of one tweet (retweets, reposts
    // under new ids) fall on the same side, so the held-out part holds no tweet seen in training.
    const split = stratifiedSplit(
      prepared,
      (p) => String(p.row.label),
      (p) => p.prepared.modelText.toLowerCase(),
      { seed: o.seed, ...SPLIT_SHARES },
    );
    sets.push({ head, file, total: rows.length, split });
    log(
      `${head.name}: ${rows.length} tweets, ${split.train.length} train / ${split.dev.length} dev / ${split.test.length} held out`,
    );
  }

  const wordOnly = new HashedNgramFeaturizer({ ...spec, charNgrams: [0, 0] }, lexicon);
  const featurizerFor = (split: Split<Prepared>) => {
    const part = (rows: readonly Prepared[]) => ({
      rows: rows.map((p) => {
        const f = wordOnly.featurize(p.prepared.modelText);
        return { ...f, dense: new Float32Array(f.dense.length) };
      }),
      labels: Int32Array.from(rows.map((p) => p.row.label)),
    });
    return { train: part(split.train), dev: part(split.dev), test: part(split.test) };
  };
  const examples = (part: readonly Prepared[]) => ({
    rows: part.map((p) => p.features),
    labels: Int32Array.from(part.map((p) => p.row.label)),
  });
  const trained: { head: TrainedHead; chosen: HeadReport['chosen'] }[] = [];
  for (const { head, split } of sets) {
    let best: { head: TrainedHead; chosen: HeadReport['chosen'] } | undefined;
    for (const settings of GRID) {
      const h = trainHead(head, spec, examples(split.train), examples(split.dev), {
        ...settings,
        epochs: EPOCHS,
        patience: PATIENCE,
        seed: o.seed,
      });
      log(
        `${head.name}: learning rate ${settings.learningRate}, l2 ${settings.l2}: dev ${h.devScore.toFixed(4)} after ${h.epochs} epochs`,
      );
      if (best === undefined || h.devScore > best.head.devScore)
        best = { head: h, chosen: { ...settings, epochs: h.epochs, dev: h.devScore } };
    }
    trained.push(best!);
  }
  let weights = assembleModel(
    spec,
    trained.map((t) => t.head),
  );
  if (o.float16) weights = { ...weights, table: roundToFloat16(weights.table) };
  const onnx = hashedNgramOnnx(weights, { float16: o.float16 ?? false });
  const trainSeconds = (performance.now() - started) / 1000;

  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, 'model.onnx'), onnx);
  writeFileSync(
    join(o.out, 'config.json'),
    `${JSON.stringify(
      hashedNgramConfigJson(
        { spec, dense: DENSE_FEATURES, heads: HEADS },
        { table_precision: o.float16 ? 'float16' : 'float32', seed: o.seed },
      ),
      null,
      2,
    )}\n`,
  );
  // A directory that held a Hugging Face export keeps no tokenizer the new model does not read.
  for (const stale of ['tokenizer.json', 'tokenizer_config.json', 'model_fp16.onnx'])
    rmSync(join(o.out, stale), { force: true });
  log(`wrote ${join(o.out, 'model.onnx')} (${onnx.length} bytes) in ${trainSeconds.toFixed(1)} s`);

  // Score what was written, through the worker's own loading path.
  const backend = await HashedNgramBackend.load(o.out, lexicon, { device: 'cpu', intraOpThreads: 1 });
  const lexiconBackend = new LexiconBackend(lexicon);
  const heads: HeadReport[] = [];
  let maxGraphDifference = 0;
  try {
    for (const [i, { head, file, total, split }] of sets.entries()) {
      const texts = split.test.map((p) => p.prepared.modelText);
      const truth = split.test.map((p) => p.row.label);
      const scores = await inferAll(backend, texts);
      const predicted = scores.map((s) => predictedLabel(head, s));
      let rulePredicted: number[];
      if (head.name === 'sentiment') {
        const lexiconScores = await inferAll(lexiconBackend, texts);
        rulePredicted = lexiconScores.map((s) => SENTIMENT_LABELS.indexOf(s.sentiment.label));
      } else {
        rulePredicted = split.test.map((p) => (p.prepared.risk.score >= 0.5 ? 1 : 0));
      }
      const sample = split.test.slice(0, 500);
      maxGraphDifference = Math.max(
        maxGraphDifference,
        await graphDifference(
          weights,
          backend,
          sample.map((p) => p.prepared.modelText),
          sample.map((p) => p.features),
        ),
      );
      const labelCounts: Record<string, number> = {};
      for (const p of [...split.train, ...split.dev, ...split.test]) {
        const l = head.labels[p.row.label]!;
        labelCounts[l] = (labelCounts[l] ?? 0) + 1;
      }
      const classes = head.labels.length;
      const reference = wordNgramReference(head, spec, featurizerFor(split), o.seed);
      heads.push({
        head,
        file: basename(file),
        counts: { total, train: split.train.length, dev: split.dev.length, test: split.test.length },
        labelCounts,
        chosen: trained[i]!.chosen,
        model: labelScores(truth, predicted, classes),
        interval: bootstrapInterval(truth, predicted, classes, head.name === 'sentiment', o.seed),
        rules: labelScores(truth, rulePredicted, classes),
        wordNgrams: labelScores(truth, reference, classes),
      });
    }
    const allTexts = sets.flatMap((s) => s.split.test.map((p) => p.row.text));
    const speed =
      o.measureSpeed === false
        ? { modelPerCore: 0, pipelinePerCore: 0 }
        : {
            modelPerCore: await modelSpeed(backend, enricher(), allTexts),
            pipelinePerCore: await pipelineSpeed(backend, enricher(), allTexts),
          };
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    const report: TrainReport = {
      heads,
      trainSeconds,
      modelBytes: statSync(join(o.out, 'model.onnx')).size,
      sha256,
      maxGraphDifference,
      speed,
    };
    const card: ModelCard = { report, options: o, spec, grid: GRID, epochs: EPOCHS, shares: SPLIT_SHARES };
    writeFileSync(join(o.out, 'MODEL.md'), renderModelCard(card));
    // The side files are committed, so they take the project's formatting.
    spawnSync('npx', ['biome', 'format', '--write', join(o.out, 'config.json')], { stdio: 'ignore' });
    return report;
  } finally {
    await backend.close();
  }
}

/**
 * How far the held-out figure could move with another sample of the same size: the 2.5th and
 * 97.5th percentiles of the measure over 1,000 resamples (with replacement) of the held-out tweets.
 */
function bootstrapInterval(
  truth: readonly number[],
  predicted: readonly number[],
  classes: number,
  recall: boolean,
  seed: number,
): [number, number] {
  const random = seededRandom(seed);
  const n = truth.length;
  const t = new Int32Array(n);
  const p = new Int32Array(n);
  const measures: number[] = [];
  for (let b = 0; b < 1000; b++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random() * n);
      t[i] = truth[k]!;
      p[i] = predicted[k]!;
    }
    const s = labelScores(t, p, classes);
    measures.push(recall ? s.macroRecall : s.macroF1);
  }
  measures.sort((a, b) => a - b);
  return [measures[24]!, measures[974]!];
}

/** The word n-gram reference's predictions on the held-out part. */
function wordNgramReference(
  head: HeadSpec,
  spec: HashedNgramSpec,
  parts: Record<'train' | 'dev' | 'test', HeadExamples>,
  seed: number,
): number[] {
  const trained = trainHead(head, spec, parts.train, parts.dev, {
    learningRate: 0.1,
    l2: 0,
    epochs: EPOCHS,
    patience: PATIENCE,
    seed,
  });
  const probs = forward(assembleModel(spec, [trained]), parts.test.rows).get(head.name)!;
  return probs.map((p) => (p.length === 1 ? (p[0]! >= 0.5 ? 1 : 0) : p.indexOf(Math.max(...p))));
}

function predictedLabel(head: HeadSpec, s: ModelScores): number {
  if (head.name === 'sentiment') return SENTIMENT_LABELS.indexOf(s.sentiment.label);
  const p = head.name === 'offensive' ? s.toxicity?.offensive : s.toxicity?.hate;
  return (p ?? 0) >= 0.5 ? 1 : 0;
}

async function inferAll(backend: SentimentBackend, texts: readonly string[]): Promise<ModelScores[]> {
  const out: ModelScores[] = [];
  for (let i = 0; i < texts.length; i += 256) out.push(...(await backend.infer(texts.slice(i, i + 256))));
  return out;
}

/** The graph against the TypeScript forward pass: the largest difference in any head's probabilities. */
async function graphDifference(
  w: HashedNgramWeights,
  backend: HashedNgramBackend,
  texts: readonly string[],
  rows: readonly FeatureRow[],
): Promise<number> {
  const graph = await backend.probabilities(texts);
  const reference = forward(w, rows);
  let max = 0;
  for (const head of w.heads) {
    const got = graph[head.name];
    const want = reference.get(head.name)!;
    if (got === undefined) continue;
    const n = want[0]?.length ?? 0;
    for (const [i, row] of want.entries())
      for (let c = 0; c < n; c++) max = Math.max(max, Math.abs(row[c]! - got[i * n + c]!));
  }
  return max;
}

/** Tweets per second through the model alone (hashing and the graph, every head), one thread. */
async function modelSpeed(backend: SentimentBackend, enricher: TweetEnricher, texts: readonly string[]) {
  const modelTexts = texts.map((t, i) => enricher.prepare(parseRawTweet({ id: `s${i}`, text: t })).modelText);
  await inferAll(backend, modelTexts.slice(0, 512));
  const started = performance.now();
  let n = 0;
  while (n < 20_000 || performance.now() - started < 2000) {
    await inferAll(backend, modelTexts);
    n += modelTexts.length;
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

/** Tweets per second through the worker's whole enrichment (every stage, the model, the JSON), one thread. */
async function pipelineSpeed(backend: SentimentBackend, enricher: TweetEnricher, texts: readonly string[]) {
  const started = performance.now();
  let n = 0;
  while (n < 20_000 || performance.now() - started < 2000) {
    for (let i = 0; i < texts.length; i += 256) {
      const prepared = texts
        .slice(i, i + 256)
        .map((t, k) => enricher.prepare(parseRawTweet({ id: `p${n + i + k}`, text: t })));
      const scores = await backend.infer(prepared.map((p) => p.modelText));
      completeTweets(enricher, prepared, scores, backend.name, new Date());
    }
    n += texts.length;
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}
