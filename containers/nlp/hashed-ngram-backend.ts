import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import {
  DENSE_FEATURES,
  type HashedNgramConfig,
  HashedNgramFeaturizer,
  MODEL_TYPE,
  packFeatures,
  parseHashedNgramConfig,
} from '../../core/nlp/inference/hashed-ngrams.ts';
import { sentimentLabelMap } from '../../core/nlp/inference/sequence-classifier.ts';
import { sentimentFromProbabilities } from '../../core/nlp/sentiment.ts';
import { type OnnxBackendOptions, openSession } from './onnx-backend.ts';

export interface HeadProbabilities {
  readonly sentiment: Float32Array;
  readonly offensive?: Float32Array;
  readonly hate?: Float32Array;
}

/**
 * Spate's own tweet model (containers/nlp/model/, trained by `spate nlp train`): the text is
 * hashed into n-gram ids here, the ONNX graph does the rest and answers every head at once,
 * sentiment and, where the model has them, the offensive and hate heads.
 */
export class HashedNgramBackend implements SentimentBackend {
  readonly name = 'onnx';

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly featurizer: HashedNgramFeaturizer,
    private readonly sentimentLabels: ReturnType<typeof sentimentLabelMap>,
    private readonly toxicity: boolean,
    readonly device: string,
  ) {}

  static async load(
    dir: string,
    lexicon: ReadonlyMap<string, number>,
    options: Omit<OnnxBackendOptions, 'maxLength'>,
  ): Promise<HashedNgramBackend> {
    const config = readHashedNgramConfig(dir);
    const sentiment = config.heads.find((h) => h.name === 'sentiment')!;
    const labels = sentimentLabelMap(Object.fromEntries(sentiment.labels.map((l, i) => [i, l])));
    const toxicity =
      config.heads.some((h) => h.name === 'offensive') && config.heads.some((h) => h.name === 'hate');
    // A small graph: one thread per session does it fastest, and leaves the other cores to the stages.
    const { session, device } = await openSession(dir, { intraOpThreads: 1, ...options, maxLength: 0 });
    return new HashedNgramBackend(
      session,
      new HashedNgramFeaturizer(config.spec, lexicon),
      labels,
      toxicity,
      device,
    );
  }

  lengthOf(text: string): number {
    return Math.min(this.featurizer.spec.maxFeatures, text.length);
  }

  /** Each head's output for a batch: sentiment [n, 3] probabilities, offensive and hate [n] P(yes). */
  async probabilities(texts: readonly string[]): Promise<HeadProbabilities> {
    const batch = packFeatures(texts.map((t) => this.featurizer.featurize(t)));
    const out = await this.session.run({
      input_ids: new ort.Tensor('int64', batch.ids, [batch.rows, batch.width]),
      weights: new ort.Tensor('float32', batch.weights, [batch.rows, batch.width]),
      dense: new ort.Tensor('float32', batch.dense, [batch.rows, DENSE_FEATURES.length]),
    });
    const sentiment = out.sentiment?.data as Float32Array | undefined;
    if (sentiment === undefined) throw new Error('model output: no sentiment');
    const offensive = out.offensive?.data as Float32Array | undefined;
    const hate = out.hate?.data as Float32Array | undefined;
    return {
      sentiment,
      ...(this.toxicity && offensive !== undefined && hate !== undefined ? { offensive, hate } : {}),
    };
  }

  async infer(texts: readonly string[]): Promise<ModelScores[]> {
    if (texts.length === 0) return [];
    const { sentiment, offensive, hate } = await this.probabilities(texts);
    const classes = this.sentimentLabels.length;
    const results: ModelScores[] = new Array(texts.length);
    for (let r = 0; r < texts.length; r++) {
      const p = { negative: 0, neutral: 0, positive: 0 };
      for (const [c, label] of this.sentimentLabels.entries()) p[label] += sentiment[r * classes + c]!;
      results[r] =
        offensive !== undefined && hate !== undefined
          ? {
              sentiment: sentimentFromProbabilities(p),
              toxicity: { offensive: offensive[r]!, hate: hate[r]! },
            }
          : { sentiment: sentimentFromProbabilities(p) };
    }
    return results;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

export function readHashedNgramConfig(dir: string): HashedNgramConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`model directory ${dir}: config.json is missing`);
  return parseHashedNgramConfig(JSON.parse(readFileSync(path, 'utf8')));
}

/** Whether a model directory holds a hashed n-gram model (rather than a Hugging Face export). */
export function isHashedNgramModel(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model_type?: unknown };
    return config.model_type === MODEL_TYPE;
  } catch {
    return false;
  }
}
