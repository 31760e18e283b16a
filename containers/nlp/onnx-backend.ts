import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import ort from 'onnxruntime-node';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import {
  inInputOrder,
  type LengthBatchLimits,
  planLengthBatches,
  type TokenCounts,
} from '../../core/nlp/inference/length-batches.ts';
import { padBatch, sentimentLabelMap, softmaxRows } from '../../core/nlp/inference/sequence-classifier.ts';
import { sentimentFromProbabilities } from '../../core/nlp/sentiment.ts';
import {
  DEFAULT_LENGTH_BATCHING,
  type LengthBatchingSettings,
  lengthBatchLimits,
} from './length-batching.ts';

/**
 * Any Hugging Face sequence-classification model exported to ONNX (input_ids,
 * attention_mask[, token_type_ids] -> logits), read from a directory holding model.onnx,
 * tokenizer.json, config.json (labels) and optionally tokenizer_config.json and
 * model_fp16.onnx. With a GPU it runs on the CUDA provider (FP16 weights where shipped),
 * otherwise on CPU.
 */
const require = createRequire(import.meta.url);

export function hasCudaProvider(): boolean {
  const binDir = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin');
  const found = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? found(join(dir, e.name)) : e.name.startsWith('libonnxruntime_providers_cuda'),
    );
  return found(binDir);
}

export type DevicePreference = 'auto' | 'cpu' | 'cuda';

export interface OnnxBackendOptions {
  readonly device: DevicePreference;
  /** Longest input in tokens; longer tweets are cut (tweets rarely exceed 64 tokens). */
  readonly maxLength: number;
  readonly intraOpThreads?: number;
  /**
   * Which weights: auto = model_fp16.onnx on CUDA where shipped, model.onnx on CPU; fp32 =
   * model.onnx; fp16 = model_fp16.onnx (an error when missing), on either provider.
   */
  readonly precision?: Precision;
  /** Batching by length (length-batching.ts); DEFAULT_LENGTH_BATCHING when unset. */
  readonly lengthBatching?: LengthBatchingSettings;
}

export type Precision = 'auto' | 'fp32' | 'fp16';

/**
 * One Hugging Face sequence-classification export: its tokenizer, its session, its labels
 * (config.json id2label, unmapped); `probabilities` answers each text's softmax row. With
 * length batching a call's texts run in runs of similar length (core/nlp/inference/length-batches.ts)
 * instead of one tensor padded to the longest.
 */
export class SequenceClassifierSession {
  private readonly fed = { runs: 0, rows: 0, realTokens: 0, paddedTokens: 0 };
  private tokenized = 0;
  /** token_type_ids is all zeros: one buffer, grown when a run needs more, viewed by every run. */
  private zeros = new BigInt64Array(0);

  private constructor(
    readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    readonly id2label: unknown,
    readonly device: string,
    private readonly maxLength: number,
    private readonly padId: number,
    /** Equal keys: the same tokenizer up to metadata (tokenizerIdentity), so the same ids for a text. */
    readonly tokenizerKey: string,
    private readonly batchLimits: LengthBatchLimits | undefined,
  ) {}

  static async load(dir: string, options: OnnxBackendOptions): Promise<SequenceClassifierSession> {
    const read = (file: string) => {
      const path = join(dir, file);
      if (!existsSync(path)) throw new Error(`model directory ${dir}: ${file} is missing`);
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    };
    const config = read('config.json');
    const tokenizerJson = read('tokenizer.json');
    const tokenizerConfig = existsSync(join(dir, 'tokenizer_config.json'))
      ? read('tokenizer_config.json')
      : {};
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const tokenizerKey = tokenizerIdentity(tokenizerJson, tokenizerConfig);
    const padId = typeof config.pad_token_id === 'number' ? config.pad_token_id : 0;
    const { session, device } = await openSession(dir, options);
    return new SequenceClassifierSession(
      session,
      tokenizer,
      config.id2label,
      device,
      options.maxLength,
      padId,
      tokenizerKey,
      lengthBatchLimits(options.lengthBatching ?? DEFAULT_LENGTH_BATCHING, device, options.maxLength),
    );
  }

  /** Whether this session splits a call's texts into runs by length itself. */
  get batchesByLength(): boolean {
    return this.batchLimits !== undefined;
  }

  /** What the model was fed so far: runs, rows, real and padded tokens. */
  get tokenCounts(): TokenCounts {
    return { ...this.fed };
  }

  /** Texts this session's tokenizer has encoded so far (heads sharing ids encode none). */
  get tokenizedTexts(): number {
    return this.tokenized;
  }

  tokenCount(text: string): number {
    return Math.min(this.maxLength, this.tokenizer.encode(text).ids.length);
  }

  /** Each text's token ids, uncut (the maxLength cut happens when a run is padded). */
  encode(texts: readonly string[]): number[][] {
    this.tokenized += texts.length;
    return texts.map((t) => this.tokenizer.encode(t).ids);
  }

  /** Softmax over each text's logits, rows in input order. */
  async probabilities(texts: readonly string[]): Promise<number[][]> {
    return this.probabilitiesOf(this.encode(texts));
  }

  /** As `probabilities`, from token ids this session's tokenizer (or an identical one) produced. */
  async probabilitiesOf(ids: readonly (readonly number[])[]): Promise<number[][]> {
    if (ids.length === 0) return [];
    if (this.batchLimits === undefined) return this.run(ids);
    const plan = planLengthBatches(
      ids.map((s) => Math.min(s.length, this.maxLength)),
      this.batchLimits,
    );
    const rows: number[][] = [];
    // One run after another: the binding runs each one synchronously anyway, and a run's
    // activations are freed before the next one allocates its own.
    for (const { start, end, width } of plan.batches) {
      const run = await this.run(
        plan.order.slice(start, end).map((i) => ids[i]!),
        width,
      );
      rows.push(...run);
    }
    return inInputOrder(plan, rows);
  }

  private async run(sequences: readonly (readonly number[])[], width?: number): Promise<number[][]> {
    const batch = padBatch(sequences, this.maxLength, this.padId, width);
    const dims = [sequences.length, batch.width];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      if (this.zeros.length < batch.inputIds.length) this.zeros = new BigInt64Array(batch.inputIds.length);
      feeds.token_type_ids = new ort.Tensor('int64', this.zeros.subarray(0, batch.inputIds.length), dims);
    }
    this.fed.runs++;
    this.fed.rows += sequences.length;
    this.fed.paddedTokens += batch.inputIds.length;
    for (const s of sequences) this.fed.realTokens += Math.min(s.length, batch.width);
    const out = await this.session.run(feeds);
    const logits = out.logits ?? out[this.session.outputNames[0] ?? 'logits'];
    if (logits === undefined) throw new Error('model output: no logits');
    const classes = Number(logits.dims[1]);
    return softmaxRows(logits.data as Float32Array, sequences.length, classes);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Fields of tokenizer_config.json that @huggingface/tokenizers never reads: each fine-tune's
 * export writes its own repository name there, which must not keep heads with the same
 * tokenizer from sharing token ids (the maxLength cut is the session's own).
 */
const TOKENIZER_METADATA = [
  'name_or_path',
  '_name_or_path',
  'model_max_length',
  'tokenizer_file',
  'special_tokens_map_file',
];

/** Equal for two heads whose tokenizers give the same ids for every text. */
export function tokenizerIdentity(
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
): string {
  const config = Object.fromEntries(
    Object.entries(tokenizerConfig).filter(([key]) => !TOKENIZER_METADATA.includes(key)),
  );
  return createHash('sha256')
    .update(JSON.stringify([tokenizerJson, config]))
    .digest('hex');
}

export class OnnxBackend implements SentimentBackend {
  readonly name = 'onnx';

  private constructor(
    private readonly classifier: SequenceClassifierSession,
    private readonly labels: ReturnType<typeof sentimentLabelMap>,
  ) {}

  get device(): string {
    return this.classifier.device;
  }

  static async load(dir: string, options: OnnxBackendOptions): Promise<OnnxBackend> {
    if (!existsSync(join(dir, 'config.json')))
      throw new Error(`model directory ${dir}: config.json is missing`);
    const labels = sentimentLabelMap(
      (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { id2label?: unknown }).id2label,
    );
    return new OnnxBackend(await SequenceClassifierSession.load(dir, options), labels);
  }

  get tokenCounts(): TokenCounts {
    return this.classifier.tokenCounts;
  }

  /** 0 while the session batches by length itself: the micro-batcher then hands it whole flushes. */
  lengthOf(text: string): number {
    return this.classifier.batchesByLength ? 0 : this.classifier.tokenCount(text);
  }

  /** Sentiment only: a sequence classifier has one head; toxicity then comes from the risk rules. */
  async infer(texts: readonly string[]): Promise<ModelScores[]> {
    const probs = await this.classifier.probabilities(texts);
    return probs.map((row) => ({ sentiment: sentimentFromLabels(this.labels, row) }));
  }

  async close(): Promise<void> {
    await this.classifier.close();
  }
}

export function sentimentFromLabels(labels: ReturnType<typeof sentimentLabelMap>, row: readonly number[]) {
  const p = { negative: 0, neutral: 0, positive: 0 };
  for (const [i, label] of labels.entries()) p[label] += row[i] ?? 0;
  return sentimentFromProbabilities(p);
}

export async function openSession(
  dir: string,
  options: OnnxBackendOptions,
): Promise<{ session: ort.InferenceSession; device: string }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
  // The CUDA provider ships separately from the CPU build; without its library there is nothing to try.
  const cudaShipped = hasCudaProvider();
  const precision = options.precision ?? 'auto';
  const fp16 = join(dir, 'model_fp16.onnx');
  if (precision === 'fp16' && !existsSync(fp16))
    throw new Error(`model directory ${dir}: model_fp16.onnx is missing (precision fp16)`);
  if (options.device === 'cuda' || (options.device === 'auto' && cudaShipped)) {
    // FP16 weights halve memory traffic on the GPU; on CPU they would only be slower.
    const path = precision !== 'fp32' && existsSync(fp16) ? fp16 : join(dir, 'model.onnx');
    try {
      const session = await ort.InferenceSession.create(path, {
        ...base,
        executionProviders: ['cuda'],
        logSeverityLevel: 3,
      });
      return { session, device: 'cuda' };
    } catch (err) {
      if (options.device === 'cuda') throw new Error(`CUDA execution provider unavailable: ${String(err)}`);
    }
  }
  const session = await ort.InferenceSession.create(precision === 'fp16' ? fp16 : join(dir, 'model.onnx'), {
    ...base,
    executionProviders: ['cpu'],
  });
  return { session, device: 'cpu' };
}
