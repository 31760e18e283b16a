import { fileURLToPath } from 'node:url';
import type { SentimentBackend } from '../../core/nlp/inference/backend.ts';
import { LexiconBackend } from '../../core/nlp/inference/lexicon-backend.ts';
import { type DevicePreference, OnnxBackend } from './onnx-backend.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

export type BackendKind = 'lexicon' | 'onnx';

/** The model built in-repo and shipped with the worker (see containers/nlp/model/MODEL.md). */
export const SHIPPED_MODEL_DIR = fileURLToPath(new URL('./model/', import.meta.url));

export interface BackendChoice {
  readonly kind: BackendKind;
  readonly modelDir?: string;
  readonly device?: DevicePreference;
  readonly maxLength?: number;
  /** VADER's lexicon when the caller has it loaded already; read from the package otherwise. */
  readonly lexicon?: ReadonlyMap<string, number>;
}

export async function openBackend(choice: BackendChoice): Promise<SentimentBackend> {
  if (choice.kind === 'lexicon') return new LexiconBackend(choice.lexicon ?? loadVaderLexicon());
  return OnnxBackend.load(choice.modelDir ?? SHIPPED_MODEL_DIR, {
    device: choice.device ?? 'auto',
    maxLength: choice.maxLength ?? 128,
  });
}

export function parseBackendKind(value: string, field: string): BackendKind {
  if (value === 'lexicon' || value === 'onnx') return value;
  throw new Error(`${field}: must be "lexicon" or "onnx", got "${value}"`);
}
