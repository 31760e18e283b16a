import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, SHIPPED_MODEL_DIR } from '../../../containers/nlp/backends.ts';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { loadVaderLexicon } from '../../../containers/nlp/vader-lexicon-file.ts';
import type { SentimentBackend } from '../../../core/nlp/inference/backend.ts';
import { writeTinyRoberta } from '../../../core/nlp/model/tiny-roberta.ts';

/** The labels, in order, of the cardiffnlp models a deploy uses. */
export const HEADS = {
  sentiment: { labels: ['negative', 'neutral', 'positive'], seed: 11 },
  offensive: { labels: ['non-offensive', 'offensive'], seed: 12 },
  hate: { labels: ['NOT-HATE', 'HATE'], seed: 13 },
} as const;

export const TINY_TWEETS = [
  { id: 't1', text: 'I love this phone, the camera is amazing! 🔥' },
  { id: 't2', text: 'The delivery was terrible and I hate the app.' },
  { id: 't3', text: 'the store opens at 9am tomorrow #news https://acme.example/hours' },
  { id: 't4', text: 'shut up you stupid idiot, nobody wants you here' },
  { id: 't5', text: 'Café déjà vu — naïve façade, 100% ✨' },
];

/** Three tiny RoBERTa-shaped head exports in a temp dir, laid out as the model bucket holds them. */
export interface TinyHeads {
  readonly modelDir: string;
  remove(): void;
}

export function layTinyHeads(): TinyHeads {
  const root = mkdtempSync(join(tmpdir(), 'spate-tiny-roberta-'));
  const modelDir = join(root, 'model');
  for (const [head, spec] of Object.entries(HEADS))
    writeTinyRoberta(join(modelDir, head), { labels: spec.labels, seed: spec.seed });
  // As in the model bucket: the stack's upload of the shipped model at the top, the heads beside it.
  for (const file of ['model.onnx', 'config.json'])
    copyFileSync(join(SHIPPED_MODEL_DIR, file), join(modelDir, file));
  return { modelDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The worker's own configuration and backend selection, from the environment a deploy sets. */
export async function productionBackend(
  modelDir: string,
  env: Record<string, string> = {},
): Promise<SentimentBackend> {
  const config = readNlpWorkerConfig({ SPATE_NLP_MODEL_DIR: modelDir, SPATE_NLP_BACKEND: 'onnx', ...env });
  return openBackend({
    kind: config.backend,
    lexicon: loadVaderLexicon(),
    ...(config.modelDir !== undefined ? { modelDir: config.modelDir } : {}),
    device: config.device,
    precision: config.precision ?? 'auto',
    lengthBatching: config.lengthBatching,
  });
}
