import { hostname } from 'node:os';
import { DEFAULT_PORTS } from '../../core/default-ports.ts';
import { METRICS_NAMESPACE } from '../../core/metrics/metric-names.ts';
import { DEFAULT_TOXICITY_THRESHOLD } from '../../core/nlp/toxicity.ts';
import { TOPICS } from '../../core/topics.ts';
import { EnvReader } from '../../io/config/env-reader.ts';
import { type KafkaConfig, readKafkaConfig } from '../../io/config/kafka-config.ts';
import { type BackendKind, parseBackendKind } from './backends.ts';
import { DEFAULT_LENGTH_BATCHING, type LengthBatchingSettings } from './length-batching.ts';
import type { DevicePreference, Precision } from './onnx-backend.ts';

/** Everything the worker reads from its environment, read once at start. */
export interface NlpWorkerConfig {
  /** Brokers, client id and auth (MSK IAM on AWS), as every Kafka client of the project reads them. */
  readonly kafka: KafkaConfig;
  readonly groupId: string;
  readonly transactionalId: TransactionalIdSource;
  readonly backend: BackendKind;
  /** Local model directory; on AWS the model is fetched from `modelS3Uri` into it first. */
  readonly modelDir?: string;
  readonly modelS3Uri?: string;
  /** Hex SHA-256 of model.onnx that the downloaded model must match. */
  readonly modelSha256?: string;
  readonly device: DevicePreference;
  /** SPATE_NLP_PRECISION: auto (FP16 weights on CUDA where shipped), fp32 or fp16. */
  readonly precision?: Precision;
  readonly rulesFile?: string;
  /** Toxicity probability from which a tweet is flagged offensive or hate (and alerted). */
  readonly toxicityThreshold: number;
  readonly targetLanguages: readonly string[];
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxQueued: number;
  /** Batching by length on the transformer path (docs/models.md, "Batching by length"). */
  readonly lengthBatching: LengthBatchingSettings;
  /** Most records produced in one transaction; a fetched batch is split into chunks of at most this size. */
  readonly maxTransactionRecords: number;
  /** Enrichment time one transaction should hold: the chunk size follows the measured rate (see TransactionSizer). */
  readonly transactionTargetMs: number;
  readonly partitionsConcurrently: number;
  /**
   * How long the group waits for a silent member before its partitions move: after a crash,
   * the restarted worker gets them back only after this. Heartbeats go at a third of it.
   */
  readonly sessionTimeoutMs: number;
  /** How long a rebalance waits for members to rejoin (a member first finishes its in-flight chunk). */
  readonly rebalanceTimeoutMs: number;
  /** 0 picks a free port. */
  readonly metricsPort: number;
  readonly duplicateWindow: number;
  /** Tweet ids remembered as enriched, so a copy the firehose re-sent is skipped (0: none). */
  readonly enrichedIdWindow: number;
  /** CloudWatch EMF lines on stdout (ConsumerLag, TweetsPerSecond) for the autoscaling policy and lag alarm. */
  readonly emf?: { readonly namespace: string; readonly intervalMs: number };
}

/**
 * Where the transactional id comes from. All tasks share one cluster, so the id must differ
 * per task and stay the same when that task's worker restarts (the restarted producer then
 * fences its predecessor's open transaction). On ECS the task id from the task metadata
 * endpoint is that; elsewhere the configured instance name or the host name.
 */
export type TransactionalIdSource =
  | { readonly kind: 'fixed'; readonly id: string }
  | {
      readonly kind: 'derived';
      readonly prefix: string;
      /** ECS_CONTAINER_METADATA_URI_V4, when running as an ECS task. */
      readonly ecsMetadataUri?: string;
      /** Used when there is no task metadata. */
      readonly instance: string;
    };

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
  const precision = text('SPATE_NLP_PRECISION', 'auto')!;
  if (!['auto', 'fp32', 'fp16'].includes(precision))
    throw new Error(`SPATE_NLP_PRECISION: must be auto, fp32 or fp16, got "${precision}"`);
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
  const kafka = readKafkaConfig(
    new EnvReader({
      ...env,
      SPATE_KAFKA_BROKERS: text('SPATE_KAFKA_BROKERS', `127.0.0.1:${DEFAULT_PORTS.kafka}`),
      SPATE_KAFKA_CLIENT_ID: text('SPATE_KAFKA_CLIENT_ID', text('SPATE_NLP_CLIENT_ID', 'spate-nlp')),
    }),
    'spate-nlp',
  );
  if (kafka.auth === 'msk-iam' && kafka.region === undefined) {
    throw new Error('AWS_REGION: is required when SPATE_KAFKA_AUTH=msk-iam (tokens are signed for a region)');
  }
  const lengthBatchingFlag = text('SPATE_NLP_LENGTH_BATCHING', String(DEFAULT_LENGTH_BATCHING.enabled))!;
  if (lengthBatchingFlag !== 'true' && lengthBatchingFlag !== 'false')
    throw new Error(`SPATE_NLP_LENGTH_BATCHING: must be true or false, got "${lengthBatchingFlag}"`);
  const emfFlag = text('SPATE_METRICS_EMF', 'false')!;
  if (emfFlag !== 'true' && emfFlag !== 'false') throw new Error('SPATE_METRICS_EMF: must be true or false');
  // A model to fetch means the model is what should run, unless a backend is named; locally
  // the shipped model runs when it is there, the lexicon when not.
  const backend = text('SPATE_NLP_BACKEND', modelS3Uri !== undefined ? 'onnx' : 'auto')!;
  const toxicityThreshold = readToxicityThreshold(env);
  return {
    kafka,
    groupId: text('SPATE_NLP_GROUP_ID', 'spate-nlp')!,
    transactionalId: readTransactionalIdSource(text),
    backend: parseBackendKind(backend, 'SPATE_NLP_BACKEND'),
    ...(modelDir !== undefined ? { modelDir } : {}),
    ...(modelS3Uri !== undefined ? { modelS3Uri } : {}),
    ...(modelSha256 !== undefined ? { modelSha256 } : {}),
    device: device as DevicePreference,
    precision: precision as Precision,
    ...(rulesFile !== undefined ? { rulesFile } : {}),
    toxicityThreshold,
    targetLanguages: text('SPATE_NLP_LANGUAGES', 'en')!
      .split(',')
      .map((l) => l.trim()),
    maxBatchSize,
    maxWaitMs: int('SPATE_NLP_MAX_WAIT_MS', 10, 0),
    maxQueued: Math.max(maxBatchSize, int('SPATE_NLP_MAX_QUEUED', 8 * maxBatchSize, 1)),
    lengthBatching: {
      enabled: lengthBatchingFlag === 'true',
      maxTokens: int('SPATE_NLP_MAX_BATCH_TOKENS', DEFAULT_LENGTH_BATCHING.maxTokens, 1),
      maxRows: int('SPATE_NLP_MAX_BATCH_ROWS', DEFAULT_LENGTH_BATCHING.maxRows, 1),
      // Unset: the device's estimate (length-batching.ts).
      ...(text('SPATE_NLP_RUN_COST_TOKENS') !== undefined
        ? { runCostTokens: int('SPATE_NLP_RUN_COST_TOKENS', 0, 0) }
        : {}),
    },
    maxTransactionRecords: int('SPATE_NLP_MAX_TXN_RECORDS', 2000, 1),
    transactionTargetMs: int('SPATE_NLP_TXN_TARGET_MS', 100, 1),
    // Every partition of tweets.raw at once: their chunks share model batches and transactions.
    partitionsConcurrently: int('SPATE_NLP_PARTITIONS_CONCURRENTLY', TOPICS.tweetsRaw.partitions, 1),
    // Short, as the mapping emulator's groups: a killed worker's partitions wait out its session
    // before anyone (its restarted self included) takes them, and every kill -9 in the fault
    // suite cost 30 s of stalled tweets at kafkajs's default. The worker heartbeats after every
    // chunk (transactions aim at 100 ms), so a 10 s session still leaves room for a slow batch.
    sessionTimeoutMs: int('SPATE_NLP_SESSION_TIMEOUT_MS', 10_000, 3000),
    rebalanceTimeoutMs: int('SPATE_NLP_REBALANCE_TIMEOUT_MS', 60_000, 3000),
    metricsPort: int('SPATE_NLP_METRICS_PORT', 9464, 0),
    duplicateWindow: int('SPATE_NLP_DUPLICATE_WINDOW', 100_000, 1),
    // About 100 bytes an id: 10 MB for the last 100k tweets, minutes of a busy firehose.
    enrichedIdWindow: int('SPATE_NLP_ENRICHED_ID_WINDOW', 100_000, 0),
    ...(emfFlag === 'true'
      ? {
          emf: {
            namespace: text('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE)!,
            intervalMs: int('SPATE_NLP_EMF_INTERVAL_MS', 10_000, 1000),
          },
        }
      : {}),
  };
}

/** SPATE_NLP_TOXICITY_THRESHOLD: a probability in (0, 1], 0.5 when unset. */
export function readToxicityThreshold(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SPATE_NLP_TOXICITY_THRESHOLD?.trim();
  if (raw === undefined || raw === '') return DEFAULT_TOXICITY_THRESHOLD;
  const n = Number(raw);
  if (!(n > 0 && n <= 1))
    throw new Error(`SPATE_NLP_TOXICITY_THRESHOLD: must be a number in (0, 1], got "${raw}"`);
  return n;
}

const TRANSACTIONAL_ID_RE = /^[A-Za-z0-9._-]{1,200}$/u;

function readTransactionalIdSource(
  text: (name: string, fallback?: string) => string | undefined,
): TransactionalIdSource {
  const fixed = text('SPATE_NLP_TRANSACTIONAL_ID');
  if (fixed !== undefined) {
    if (!TRANSACTIONAL_ID_RE.test(fixed))
      throw new Error('SPATE_NLP_TRANSACTIONAL_ID: must be 1-200 of A-Z a-z 0-9 . _ -');
    return { kind: 'fixed', id: fixed };
  }
  const prefix = text('SPATE_NLP_TRANSACTIONAL_ID_PREFIX', 'spate-nlp')!;
  if (!TRANSACTIONAL_ID_RE.test(prefix))
    throw new Error('SPATE_NLP_TRANSACTIONAL_ID_PREFIX: must be 1-200 of A-Z a-z 0-9 . _ -');
  const ecsMetadataUri = text('ECS_CONTAINER_METADATA_URI_V4');
  return {
    kind: 'derived',
    prefix,
    ...(ecsMetadataUri !== undefined ? { ecsMetadataUri } : {}),
    instance: instanceName(text('SPATE_NLP_INSTANCE') ?? hostname()),
  };
}

/** A host or instance name as the tail of a transactional id (which the IAM policy matches by prefix). */
export function instanceName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9._-]+/gu, '-').slice(0, 100);
  return name === '' ? 'worker' : name;
}
