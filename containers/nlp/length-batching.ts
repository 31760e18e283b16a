import type { LengthBatchLimits } from '../../core/nlp/inference/length-batches.ts';

/**
 * The worker's settings for batching by length on the transformer path
 * (SPATE_NLP_LENGTH_BATCHING, SPATE_NLP_MAX_BATCH_TOKENS, SPATE_NLP_MAX_BATCH_ROWS,
 * SPATE_NLP_RUN_COST_TOKENS; docs/models.md, "Batching by length"), and what they mean on
 * the device a session ended up on.
 */
export interface LengthBatchingSettings {
  /** Off: a micro-batch runs as one tensor, padded to its longest tweet. */
  readonly enabled: boolean;
  /** Most padded tokens (rows x width) in one run: bounds a run's activation memory. */
  readonly maxTokens: number;
  readonly maxRows: number;
  /** What one more run costs, in padded tokens; unset: the device's default below. */
  readonly runCostTokens?: number;
}

export const DEFAULT_LENGTH_BATCHING: LengthBatchingSettings = {
  enabled: true,
  // 256 rows of 64 tokens, or 128 of the 128-token cap: a RoBERTa-base run of this size keeps
  // a GPU busy and its attention activations within a few hundred MB.
  maxTokens: 16_384,
  maxRows: 256,
};

/**
 * One more run on CUDA costs its kernel launches, the host-to-device copy and the binding's
 * synchronous call: estimated at a few hundred tokens of RoBERTa-base FP16 work (not measured
 * here; bench/nlp/gpu-throughput.ts prints both sides to tune it). On CPU a run costs little
 * beyond its tokens.
 */
export const RUN_COST_TOKENS = { cuda: 256, cpu: 4 } as const;

/**
 * On CUDA widths are rounded up to a multiple of 8: FP16 tensor-core kernels want dimensions
 * in multiples of 8, and fewer distinct shapes let ONNX Runtime's CUDA arena and memory
 * patterns reuse what earlier runs allocated. On CPU rounding would only add padding.
 */
export const CUDA_PAD_MULTIPLE = 8;

/** The plan's limits for a session on `device` reading at most `maxLength` tokens; undefined when off. */
export function lengthBatchLimits(
  settings: LengthBatchingSettings,
  device: string,
  maxLength: number,
): LengthBatchLimits | undefined {
  if (!settings.enabled) return undefined;
  const cuda = device === 'cuda';
  return {
    maxTokens: settings.maxTokens,
    maxRows: settings.maxRows,
    runCostTokens: settings.runCostTokens ?? (cuda ? RUN_COST_TOKENS.cuda : RUN_COST_TOKENS.cpu),
    padMultiple: cuda ? CUDA_PAD_MULTIPLE : 1,
    maxWidth: maxLength,
  };
}
