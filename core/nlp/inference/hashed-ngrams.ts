import { avalanche, fnv1a } from '../string-hash.ts';
import { VaderScorer } from './vader.ts';

/**
 * The input side of Spate's own tweet model (FastText-style): a tweet becomes the hashed ids
 * of its word unigrams, word bigrams and character n-grams, each with a weight, plus a few
 * dense features (VADER's score, punctuation, shouting). The model looks the ids up in one
 * table, sums the rows by weight, appends the dense features and runs one linear head per
 * task. Hashing needs no vocabulary file: the same text gives the same ids on every machine.
 */
export interface HashedNgramSpec {
  /** Rows of the table; a power of two. */
  readonly buckets: number;
  /** Shortest and longest character n-gram, taken inside each word padded as "<word>". */
  readonly charNgrams: readonly [number, number];
  readonly wordBigrams: boolean;
  /** Most ids per tweet (the rest are dropped), so a pathological text cannot blow up a batch. */
  readonly maxFeatures: number;
}

export const DENSE_FEATURES = [
  'vader_positive',
  'vader_negative',
  'lexicon_positive_words',
  'lexicon_negative_words',
  'exclamations',
  'questions',
  'upper_case_share',
  'negation',
  'second_person',
  'length',
] as const;

export const DEFAULT_SPEC: HashedNgramSpec = {
  buckets: 1 << 18,
  charNgrams: [3, 5],
  wordBigrams: true,
  maxFeatures: 1024,
};

/** One tweet's features: ids into the table with their weights, and the dense features. */
export interface FeatureRow {
  readonly ids: Int32Array;
  readonly weights: Float32Array;
  readonly dense: Float32Array;
}

// Words (with inner apostrophes and hyphens), runs of ! or ?, and any other single symbol.
const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*|[!?]+|[^\s\p{L}\p{N}]/gu;
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'without',
  "don't",
  "doesn't",
  "didn't",
  "can't",
  "won't",
  "isn't",
  "wasn't",
  "aren't",
  "shouldn't",
  "wouldn't",
  "couldn't",
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'wont',
  'isnt',
  'wasnt',
  'arent',
]);
const SECOND_PERSON = new Set(['you', 'your', 'yours', "you're", 'youre', 'yourself', 'u', 'ur', 'ya']);

// Each kind of feature hashes from its own seed, so "good" the word and "good" the bigram half differ.
const SEED_UNIGRAM = 0x811c9dc5;
const SEED_BIGRAM = 0x01000193 ^ 0x9e3779b9;
const SEED_CHAR = 0x85ebca6b;

export class HashedNgramFeaturizer {
  private readonly vader: VaderScorer;
  private readonly mask: number;

  constructor(
    readonly spec: HashedNgramSpec,
    private readonly lexicon: ReadonlyMap<string, number>,
  ) {
    if (!Number.isInteger(Math.log2(spec.buckets)) || spec.buckets < 2)
      throw new Error(`features.buckets: must be a power of two, got ${spec.buckets}`);
    this.mask = spec.buckets - 1;
    this.vader = new VaderScorer(lexicon);
  }

  featurize(text: string): FeatureRow {
    const tokens = text.toLowerCase().match(TOKEN_RE) ?? [];
    const ids: number[] = [];
    const weights: number[] = [];
    const max = this.spec.maxFeatures;
    // Each kind of feature is weighted 1/sqrt(count): a long tweet does not drown its words,
    // and the three kinds contribute alike whatever the length.
    const group = (from: number) => {
      const w = ids.length > from ? 1 / Math.sqrt(ids.length - from) : 0;
      for (let i = from; i < ids.length; i++) weights.push(w);
    };
    for (const t of tokens) {
      if (ids.length >= max) break;
      ids.push(avalanche(fnv1a(t, SEED_UNIGRAM)) & this.mask);
    }
    group(0);
    if (this.spec.wordBigrams && tokens.length > 0) {
      const from = ids.length;
      let prev = '<s>';
      for (let i = 0; i <= tokens.length && ids.length < max; i++) {
        const t = i < tokens.length ? tokens[i]! : '</s>';
        ids.push(avalanche(fnv1a(t, fnv1a(prev, SEED_BIGRAM) ^ 0x20)) & this.mask);
        prev = t;
      }
      group(from);
    }
    const [minN, maxN] = this.spec.charNgrams;
    if (minN > 0) {
      const from = ids.length;
      for (const t of tokens) {
        const w = `<${t}>`;
        for (let i = 0; i + minN <= w.length && ids.length < max; i++) {
          let h = SEED_CHAR;
          for (let j = i; j < Math.min(w.length, i + maxN) && ids.length < max; j++) {
            h = Math.imul(h ^ w.charCodeAt(j), 0x01000193);
            if (j - i + 1 >= minN) ids.push(avalanche(h) & this.mask);
          }
        }
      }
      group(from);
    }
    if (ids.length === 0) {
      ids.push(0);
      weights.push(0);
    }
    return {
      ids: Int32Array.from(ids),
      weights: Float32Array.from(weights),
      dense: this.dense(text, tokens),
    };
  }

  private dense(text: string, tokens: readonly string[]): Float32Array {
    const compound = this.vader.compound(text);
    let positive = 0;
    let negative = 0;
    let negation = 0;
    let second = 0;
    let words = 0;
    for (const t of tokens) {
      const v = this.lexicon.get(t);
      if (v !== undefined && v > 0) positive++;
      else if (v !== undefined && v < 0) negative++;
      if (NEGATIONS.has(t)) negation = 1;
      if (SECOND_PERSON.has(t)) second = 1;
      if (/[\p{L}\p{N}]/u.test(t[0] ?? '')) words++;
    }
    let exclamations = 0;
    let questions = 0;
    let letters = 0;
    let upper = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 33) exclamations++;
      else if (c === 63) questions++;
      else if (c >= 65 && c <= 90) {
        upper++;
        letters++;
      } else if (c >= 97 && c <= 122) letters++;
    }
    const scale = 1 / Math.sqrt(words + 1);
    return Float32Array.of(
      Math.max(compound, 0),
      Math.max(-compound, 0),
      positive * scale,
      negative * scale,
      Math.log1p(exclamations),
      Math.log1p(questions),
      letters === 0 ? 0 : upper / letters,
      negation,
      second,
      Math.log1p(words) / 4,
    );
  }
}

/** A batch as the ONNX graph takes it: ids and weights [batch, width] (padding weighs 0), dense [batch, F]. */
export interface FeatureBatch {
  readonly rows: number;
  readonly width: number;
  readonly ids: BigInt64Array;
  readonly weights: Float32Array;
  readonly dense: Float32Array;
}

export function packFeatures(rows: readonly FeatureRow[]): FeatureBatch {
  let width = 1;
  for (const r of rows) width = Math.max(width, r.ids.length);
  const denseSize = DENSE_FEATURES.length;
  const ids = new BigInt64Array(rows.length * width);
  // Ids are below 2^31: written as the low halves of the int64s (little-endian, as every
  // platform ONNX Runtime runs on), which spares a BigInt per id.
  const low = new Int32Array(ids.buffer);
  const weights = new Float32Array(rows.length * width);
  const dense = new Float32Array(rows.length * denseSize);
  for (const [r, row] of rows.entries()) {
    for (let i = 0; i < row.ids.length; i++) low[2 * (r * width + i)] = row.ids[i]!;
    weights.set(row.weights, r * width);
    dense.set(row.dense, r * denseSize);
  }
  return { rows: rows.length, width, ids, weights, dense };
}

export type HeadName = 'sentiment' | 'offensive' | 'hate';
export type HeadActivation = 'softmax' | 'sigmoid';

export interface HeadSpec {
  readonly name: HeadName;
  readonly activation: HeadActivation;
  /** Class labels in output order; a sigmoid head has two and outputs P(labels[1]). */
  readonly labels: readonly string[];
}

/**
 * The trained numbers: the table [buckets, dim] and, per head, a linear map from
 * [pooled (dim), dense (F)] to its logits ([dim + F, outputs] row-major, and a bias).
 */
export interface HashedNgramWeights {
  readonly spec: HashedNgramSpec;
  readonly dim: number;
  readonly table: Float32Array;
  readonly heads: readonly (HeadSpec & { readonly weight: Float32Array; readonly bias: Float32Array })[];
}

export function headOutputs(head: HeadSpec): number {
  return head.activation === 'softmax' ? head.labels.length : 1;
}

/**
 * The model's arithmetic in TypeScript, as the ONNX graph does it: the reference the graph is
 * tested against, and what training scores its dev slice with. Per head, per row: the
 * probabilities (softmax) or P(positive class) (sigmoid).
 */
export function forward(w: HashedNgramWeights, rows: readonly FeatureRow[]): Map<HeadName, number[][]> {
  const f = DENSE_FEATURES.length;
  const inputs = w.dim + f;
  const x = new Float64Array(inputs);
  const out = new Map<HeadName, number[][]>(w.heads.map((h) => [h.name, []]));
  for (const row of rows) {
    x.fill(0);
    for (let t = 0; t < row.ids.length; t++) {
      const base = row.ids[t]! * w.dim;
      const weight = row.weights[t]!;
      for (let d = 0; d < w.dim; d++) x[d]! += weight * w.table[base + d]!;
    }
    for (let k = 0; k < f; k++) x[w.dim + k] = row.dense[k]!;
    for (const head of w.heads) {
      const n = headOutputs(head);
      const logits: number[] = [];
      for (let c = 0; c < n; c++) {
        let s = head.bias[c]!;
        for (let i = 0; i < inputs; i++) s += x[i]! * head.weight[i * n + c]!;
        logits.push(s);
      }
      out.get(head.name)!.push(head.activation === 'softmax' ? softmax(logits) : [sigmoid(logits[0]!)]);
    }
  }
  return out;
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export const MODEL_TYPE = 'spate-hashed-ngrams';

/** config.json of a hashed n-gram model: what the featurizer must do, and the heads. */
export interface HashedNgramConfig {
  readonly spec: HashedNgramSpec;
  readonly dense: readonly string[];
  readonly heads: readonly HeadSpec[];
}

export function hashedNgramConfigJson(
  config: HashedNgramConfig,
  extra: Record<string, unknown> = {},
): object {
  return {
    model_type: MODEL_TYPE,
    format_version: 1,
    inputs: { ids: 'input_ids', weights: 'weights', dense: 'dense' },
    features: {
      buckets: config.spec.buckets,
      char_ngrams: config.spec.charNgrams,
      word_bigrams: config.spec.wordBigrams,
      max_features: config.spec.maxFeatures,
      dense: config.dense,
    },
    heads: config.heads.map((h) => ({
      name: h.name,
      output: h.name,
      activation: h.activation,
      labels: h.labels,
    })),
    ...extra,
  };
}

/** Reads config.json, naming the field at fault; refuses features this featurizer cannot make. */
export function parseHashedNgramConfig(value: unknown): HashedNgramConfig {
  const fail = (field: string, rule: string): never => {
    throw new Error(`config.json ${field}: ${rule}`);
  };
  const v = (
    typeof value === 'object' && value !== null ? value : fail('(root)', 'must be an object')
  ) as Record<string, unknown>;
  if (v.model_type !== MODEL_TYPE) fail('model_type', `must be "${MODEL_TYPE}"`);
  if (v.format_version !== 1) fail('format_version', 'must be 1');
  const f = (v.features ?? fail('features', 'is required')) as Record<string, unknown>;
  const buckets = f.buckets;
  if (typeof buckets !== 'number' || !Number.isInteger(Math.log2(buckets)))
    fail('features.buckets', 'must be a power of two');
  const ngrams = f.char_ngrams;
  if (
    !Array.isArray(ngrams) ||
    ngrams.length !== 2 ||
    !ngrams.every((n) => Number.isInteger(n) && n >= 0) ||
    ngrams[0] > ngrams[1]
  )
    fail('features.char_ngrams', 'must be [shortest, longest], 0 for none');
  if (typeof f.word_bigrams !== 'boolean') fail('features.word_bigrams', 'must be true or false');
  if (typeof f.max_features !== 'number' || f.max_features < 1)
    fail('features.max_features', 'must be a positive number');
  const dense = f.dense;
  if (!Array.isArray(dense) || dense.join(',') !== DENSE_FEATURES.join(','))
    fail('features.dense', `must be exactly ${DENSE_FEATURES.join(', ')} (this version's dense features)`);
  if (!Array.isArray(v.heads) || v.heads.length === 0) fail('heads', 'must be a non-empty array');
  const heads = (v.heads as unknown[]).map((h, i): HeadSpec => {
    const head = (
      typeof h === 'object' && h !== null ? h : fail(`heads.${i}`, 'must be an object')
    ) as Record<string, unknown>;
    if (head.name !== 'sentiment' && head.name !== 'offensive' && head.name !== 'hate')
      fail(`heads.${i}.name`, 'must be sentiment, offensive or hate');
    if (head.activation !== 'softmax' && head.activation !== 'sigmoid')
      fail(`heads.${i}.activation`, 'must be softmax or sigmoid');
    const labels = head.labels;
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string') || labels.length < 2)
      fail(`heads.${i}.labels`, 'must be two or more strings');
    if (head.activation === 'sigmoid' && (labels as string[]).length !== 2)
      fail(`heads.${i}.labels`, 'a sigmoid head has exactly two');
    return {
      name: head.name as HeadName,
      activation: head.activation as HeadActivation,
      labels: labels as string[],
    };
  });
  if (!heads.some((h) => h.name === 'sentiment')) fail('heads', 'must include a sentiment head');
  return {
    spec: {
      buckets: buckets as number,
      charNgrams: [(ngrams as number[])[0]!, (ngrams as number[])[1]!],
      wordBigrams: f.word_bigrams as boolean,
      maxFeatures: f.max_features as number,
    },
    dense: dense as string[],
    heads,
  };
}
