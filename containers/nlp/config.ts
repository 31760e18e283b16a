import { DEFAULT_PORTS } from '../../local/ports.ts';
import { type BackendKind, parseBackendKind } from './backends.ts';
import type { DevicePreference } from './onnx-backend.ts';

/** Everything the worker reads from its environment, read once at start. */
export interface NlpWorkerConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  /** Stable per worker instance: a restarted instance fences its crashed predecessor's transaction. */
  readonly transactionalId: string;
  readonly backend: BackendKind;
  /** Local model directory; on AWS the model is fetched from `modelS3Uri` into it first. */
  readonly modelDir?: string;
  readonly modelS3Uri?: string;
  /** Hex SHA-256 of model.onnx that the downloaded model must match. */
  readonly modelSha256?: string;
  readonly device: DevicePreference;
  readonly rulesFile?: string;
  readonly targetLanguages: readonly string[];
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxQueued: number;
  /** Most records produced in one transaction; a fetched batch is split into chunks of this size. */
  readonly maxTransactionRecords: number;
  readonly partitionsConcurrently: number;
  /** 0 picks a free port. */
  readonly metricsPort: number;
  readonly duplicateWindow: number;
}

export function readNlpWorkerConfig(env: Readonly<Record<string, string | undefined>>): NlpWorkerConfig {
  const text = (name: string, fallback?: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${name}: must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  const device = text('SPATE_NLP_DEVICE', 'auto')!;
  if (!['auto', 'cpu', 'cuda'].includes(device))
    throw new Error(`SPATE_NLP_DEVICE: must be auto, cpu or cuda`);
  const modelDir = text('SPATE_NLP_MODEL_DIR');
  const modelS3Uri = text('SPATE_NLP_MODEL_S3_URI');
  const modelSha256 = text('SPATE_NLP_MODEL_SHA256');
  if (modelS3Uri !== undefined && !/^s3:\/\/[^/]+\/.+/u.test(modelS3Uri)) {
    throw new Error('SPATE_NLP_MODEL_S3_URI: must look like s3://bucket/prefix');
  }
  if (modelSha256 !== undefined && !/^[0-9a-f]{64}$/u.test(modelSha256)) {
    throw new Error('SPATE_NLP_MODEL_SHA256: must be 64 lower-case hex digits');
  }
  const rulesFile = text('SPATE_NLP_RULES_FILE');
  const maxBatchSize = int('SPATE_NLP_MAX_BATCH', 256, 1);
  const instance = text('SPATE_NLP_INSTANCE', '0')!;
  return {
    brokers: (text('SPATE_KAFKA_BROKERS', `127.0.0.1:${DEFAULT_PORTS.kafka}`) ?? '')
      .split(',')
      .map((b) => b.trim()),
    clientId: text('SPATE_NLP_CLIENT_ID', 'spate-nlp')!,
    groupId: text('SPATE_NLP_GROUP_ID', 'spate-nlp')!,
    transactionalId: text('SPATE_NLP_TRANSACTIONAL_ID', `spate-nlp-${instance}`)!,
    backend: parseBackendKind(text('SPATE_NLP_BACKEND', 'lexicon')!, 'SPATE_NLP_BACKEND'),
    ...(modelDir !== undefined ? { modelDir } : {}),
    ...(modelS3Uri !== undefined ? { modelS3Uri } : {}),
    ...(modelSha256 !== undefined ? { modelSha256 } : {}),
    device: device as DevicePreference,
    ...(rulesFile !== undefined ? { rulesFile } : {}),
    targetLanguages: text('SPATE_NLP_LANGUAGES', 'en')!
      .split(',')
      .map((l) => l.trim()),
    maxBatchSize,
    maxWaitMs: int('SPATE_NLP_MAX_WAIT_MS', 10, 0),
    maxQueued: Math.max(maxBatchSize, int('SPATE_NLP_MAX_QUEUED', 8 * maxBatchSize, 1)),
    maxTransactionRecords: int('SPATE_NLP_MAX_TXN_RECORDS', 2000, 1),
    partitionsConcurrently: int('SPATE_NLP_PARTITIONS_CONCURRENTLY', 1, 1),
    metricsPort: int('SPATE_NLP_METRICS_PORT', 9464, 0),
    duplicateWindow: int('SPATE_NLP_DUPLICATE_WINDOW', 100_000, 1),
  };
}
