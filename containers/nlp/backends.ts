import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SentimentBackend } from '../../core/nlp/inference/backend.ts';
import { LexiconBackend } from '../../core/nlp/inference/lexicon-backend.ts';
import { HashedNgramBackend, isHashedNgramModel } from './hashed-ngram-backend.ts';
import type { LengthBatchingSettings } from './length-batching.ts';
import { type DevicePreference, OnnxBackend, type Precision } from './onnx-backend.ts';
import { isTransformerHeadsDir, TransformerHeadsBackend } from './transformer-heads-backend.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

/**
 * auto: the model in the model directory when there is one, else the lexicon; onnx: that
 * model or an error; lexicon: VADER and the risk rules, no model.
 */
export type BackendKind = 'auto' | 'lexicon' | 'onnx';

export const BACKEND_KINDS: readonly BackendKind[] = ['auto', 'lexicon', 'onnx'];

/** The model trained in-repo and shipped with the worker (see containers/nlp/model/MODEL.md). */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL('./model/', import.meta.url));

export interface BackendChoice {
  readonly kind: BackendKind;
  readonly modelDir?: string;
  readonly device?: DevicePreference;
  readonly maxLength?: number;
  /** FP32 or FP16 weights (see OnnxBackendOptions.precision); auto when unset. */
  readonly precision?: Precision;
  /** Batching by length on the transformer path; DEFAULT_LENGTH_BATCHING when unset. */
  readonly lengthBatching?: LengthBatchingSettings;
  /** VADER's lexicon when the caller has it loaded already; read from the package otherwise. */
  readonly lexicon?: ReadonlyMap<string, number>;
}

/**
 * Opens the chosen backend. A model directory holds either Spate's hashed n-gram model
 * (config.json model_type "spate-hashed-ngrams") or any Hugging Face sequence-classification
 * export; config.json tells which. A directory with sentiment/ (and offensive/ + hate/)
 * subdirectories holds one Hugging Face export per head (transformer-heads-backend.ts).
 */
export async function openBackend(choice: BackendChoice): Promise<SentimentBackend> {
  const lexicon = () => choice.lexicon ?? loadVaderLexicon();
  const dir = choice.modelDir ?? SHIPPED_MODEL_DIR;
  const heads = isTransformerHeadsDir(dir);
  if (choice.kind === 'lexicon' || (choice.kind === 'auto' && !heads && !existsSync(join(dir, 'model.onnx'))))
    return new LexiconBackend(lexicon());
  const device = choice.device ?? 'auto';
  const options = {
    device,
    maxLength: choice.maxLength ?? 128,
    ...(choice.precision !== undefined ? { precision: choice.precision } : {}),
    ...(choice.lengthBatching !== undefined ? { lengthBatching: choice.lengthBatching } : {}),
  };
  // Per-head exports win over a model at the top: a deploy adds them beside the shipped model.
  if (heads) return TransformerHeadsBackend.load(dir, options);
  if (isHashedNgramModel(dir)) return HashedNgramBackend.load(dir, lexicon(), { device });
  return OnnxBackend.load(dir, options);
}

export function parseBackendKind(value: string, field: string): BackendKind {
  if ((BACKEND_KINDS as readonly string[]).includes(value)) return value as BackendKind;
  throw new Error(`${field}: must be ${BACKEND_KINDS.map((k) => `"${k}"`).join(', ')}, got "${value}"`);
}
