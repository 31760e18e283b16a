import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import ort from 'onnxruntime-node';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import { padBatch, sentimentLabelMap, softmaxRows } from '../../core/nlp/inference/sequence-classifier.ts';
import { sentimentFromProbabilities } from '../../core/nlp/sentiment.ts';

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
}

export type Precision = 'auto' | 'fp32' | 'fp16';

/**
 * One Hugging Face sequence-classification export: its tokenizer, its session, its labels
 * (config.json id2label, unmapped); `probabilities` answers each text's softmax row.
 */
export class SequenceClassifierSession {
  private constructor(
    readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    readonly id2label: unknown,
    readonly device: string,
    private readonly maxLength: number,
    private readonly padId: number,
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
    const padId = typeof config.pad_token_id === 'number' ? config.pad_token_id : 0;
    const { session, device } = await openSession(dir, options);
    return new SequenceClassifierSession(
      session,
      tokenizer,
      config.id2label,
      device,
      options.maxLength,
      padId,
    );
  }

  tokenCount(text: string): number {
    return Math.min(this.maxLength, this.tokenizer.encode(text).ids.length);
  }

  /** Softmax over each text's logits, rows in input order. */
  async probabilities(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const encoded = texts.map((t) => this.tokenizer.encode(t).ids);
    const batch = padBatch(encoded, this.maxLength, this.padId);
    const dims = [texts.length, batch.width];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch.inputIds.length), dims);
    }
    const out = await this.session.run(feeds);
    const logits = out.logits ?? out[this.session.outputNames[0] ?? 'logits'];
    if (logits === undefined) throw new Error('model output: no logits');
    const classes = Number(logits.dims[1]);
    return softmaxRows(logits.data as Float32Array, texts.length, classes);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
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

  lengthOf(text: string): number {
    return this.classifier.tokenCount(text);
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
