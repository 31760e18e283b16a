import { describe, expect, it } from 'vitest';
import { instanceName, readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { emfLine } from '../../../containers/nlp/emf.ts';
import { DEFAULT_LENGTH_BATCHING, lengthBatchLimits } from '../../../containers/nlp/length-batching.ts';
import { TransactionSizer } from '../../../containers/nlp/transaction-sizer.ts';
import { taskIdFromMetadata } from '../../../containers/nlp/transactional-id.ts';

// What the CDK stack (lib/nlp.ts) sets on the ECS task.
const AWS_ENV = {
  SPATE_KAFKA_BROKERS: 'b-1.msk.example:9098,b-2.msk.example:9098',
  SPATE_KAFKA_AUTH: 'msk-iam',
  AWS_REGION: 'eu-west-1',
  SPATE_NLP_GROUP_ID: 'spate-nlp',
  SPATE_NLP_TRANSACTIONAL_ID_PREFIX: 'spate-nlp',
  SPATE_NLP_MODEL_S3_URI: 's3://models-bucket/models/',
  SPATE_NLP_DEVICE: 'cuda',
  SPATE_METRICS_EMF: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'Spate',
  ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc',
};

describe('readNlpWorkerConfig', () => {
  it('reads the ECS task environment: MSK IAM, the model from S3 on the GPU, EMF, a per-task transactional id', () => {
    const c = readNlpWorkerConfig(AWS_ENV);
    expect(c.kafka).toEqual({
      brokers: ['b-1.msk.example:9098', 'b-2.msk.example:9098'],
      clientId: 'spate-nlp',
      auth: 'msk-iam',
      region: 'eu-west-1',
    });
    expect(c.backend).toBe('onnx');
    expect(c.device).toBe('cuda');
    expect(c.emf).toEqual({ namespace: 'Spate', intervalMs: 10_000 });
    expect(c.transactionalId).toMatchObject({
      kind: 'derived',
      prefix: 'spate-nlp',
      ecsMetadataUri: 'http://169.254.170.2/v4/abc',
    });
  });

  it('defaults to the local broker, the shipped model if present, no EMF and an instance-named transactional id', () => {
    const c = readNlpWorkerConfig({ SPATE_NLP_INSTANCE: 'laptop 1' });
    expect(c.kafka.auth).toBe('none');
    expect(c.kafka.brokers).toHaveLength(1);
    expect(c.backend).toBe('auto');
    expect(c.emf).toBeUndefined();
    expect(c.sessionTimeoutMs).toBe(10_000);
    expect(c.transactionalId).toEqual({ kind: 'derived', prefix: 'spate-nlp', instance: 'laptop-1' });
    expect(readNlpWorkerConfig({ SPATE_NLP_TRANSACTIONAL_ID: 'fixed-7' }).transactionalId).toEqual({
      kind: 'fixed',
      id: 'fixed-7',
    });
  });

  it('rejects bad settings naming the variable and the rule', () => {
    expect(() => readNlpWorkerConfig({ SPATE_KAFKA_AUTH: 'msk-iam' })).toThrow(/AWS_REGION: is required/);
    expect(() => readNlpWorkerConfig({ SPATE_KAFKA_AUTH: 'sasl' })).toThrow(/SPATE_KAFKA_AUTH/);
    expect(() => readNlpWorkerConfig({ SPATE_METRICS_EMF: 'yes' })).toThrow(
      /SPATE_METRICS_EMF: must be true or false/,
    );
    expect(() => readNlpWorkerConfig({ SPATE_NLP_TRANSACTIONAL_ID: 'a b' })).toThrow(
      /SPATE_NLP_TRANSACTIONAL_ID: must be/,
    );
    expect(() => readNlpWorkerConfig({ SPATE_NLP_SESSION_TIMEOUT_MS: '100' })).toThrow(
      /SPATE_NLP_SESSION_TIMEOUT_MS: must be an integer >= 3000/,
    );
  });

  it('reads SPATE_NLP_PRECISION: auto by default, fp32 or fp16, anything else refused', () => {
    expect(readNlpWorkerConfig({}).precision).toBe('auto');
    expect(readNlpWorkerConfig({ SPATE_NLP_PRECISION: 'fp16' }).precision).toBe('fp16');
    expect(readNlpWorkerConfig({ SPATE_NLP_PRECISION: 'fp32' }).precision).toBe('fp32');
    expect(() => readNlpWorkerConfig({ SPATE_NLP_PRECISION: 'int8' })).toThrow(
      /SPATE_NLP_PRECISION: must be auto, fp32 or fp16, got "int8"/,
    );
  });

  it('reads batching by length: on by default with the device deciding the run cost, each setting checked', () => {
    expect(readNlpWorkerConfig({}).lengthBatching).toEqual({
      enabled: true,
      maxTokens: 16_384,
      maxRows: 256,
    });
    expect(
      readNlpWorkerConfig({
        SPATE_NLP_LENGTH_BATCHING: 'false',
        SPATE_NLP_MAX_BATCH_TOKENS: '8192',
        SPATE_NLP_MAX_BATCH_ROWS: '64',
        SPATE_NLP_RUN_COST_TOKENS: '0',
      }).lengthBatching,
    ).toEqual({ enabled: false, maxTokens: 8192, maxRows: 64, runCostTokens: 0 });
    expect(() => readNlpWorkerConfig({ SPATE_NLP_LENGTH_BATCHING: 'on' })).toThrow(
      /SPATE_NLP_LENGTH_BATCHING: must be true or false, got "on"/,
    );
    expect(() => readNlpWorkerConfig({ SPATE_NLP_MAX_BATCH_TOKENS: '0' })).toThrow(
      /SPATE_NLP_MAX_BATCH_TOKENS: must be an integer >= 1/,
    );
    expect(() => readNlpWorkerConfig({ SPATE_NLP_RUN_COST_TOKENS: '-5' })).toThrow(
      /SPATE_NLP_RUN_COST_TOKENS: must be an integer >= 0/,
    );
  });

  it('turns the batching settings into a plan per device: widths in multiples of 8 and dearer runs on CUDA', () => {
    const cuda = lengthBatchLimits(DEFAULT_LENGTH_BATCHING, 'cuda', 128)!;
    const cpu = lengthBatchLimits(DEFAULT_LENGTH_BATCHING, 'cpu', 128)!;
    expect(cuda).toMatchObject({ maxTokens: 16_384, maxRows: 256, padMultiple: 8, maxWidth: 128 });
    expect(cpu).toMatchObject({ padMultiple: 1, maxWidth: 128 });
    expect(cuda.runCostTokens).toBeGreaterThan(cpu.runCostTokens);
    expect(
      lengthBatchLimits({ ...DEFAULT_LENGTH_BATCHING, runCostTokens: 7 }, 'cuda', 64)!.runCostTokens,
    ).toBe(7);
    expect(lengthBatchLimits({ ...DEFAULT_LENGTH_BATCHING, enabled: false }, 'cuda', 128)).toBeUndefined();
  });

  it('makes any host name fit a transactional id', () => {
    expect(instanceName('ip-10-0-1-23.eu-west-1.compute.internal')).toBe(
      'ip-10-0-1-23.eu-west-1.compute.internal',
    );
    expect(instanceName('my host/äö')).toBe('my-host-');
    expect(instanceName('')).toBe('worker');
  });
});

describe('taskIdFromMetadata', () => {
  it('takes the task id from the TaskARN of the ECS task metadata', () => {
    expect(
      taskIdFromMetadata({
        Cluster: 'spate',
        TaskARN: 'arn:aws:ecs:eu-west-1:111122223333:task/spate-cluster/158d1c8083dd49d6b527399fd6414f5c',
      }),
    ).toBe('158d1c8083dd49d6b527399fd6414f5c');
    expect(() => taskIdFromMetadata({ TaskARN: 'not-an-arn' })).toThrow(/TaskARN: must be an ECS task ARN/);
    expect(() => taskIdFromMetadata(null)).toThrow(/TaskARN/);
  });
});

describe('emfLine', () => {
  it('declares each metric under the namespace and dimension CloudWatch extracts', () => {
    const line = JSON.parse(
      emfLine(
        'Spate',
        { service: 'nlp' },
        [
          { name: 'ConsumerLag', unit: 'Count', value: 1234 },
          { name: 'TweetsPerSecond', unit: 'Count/Second', value: 4100.5 },
        ],
        1_700_000_000_000,
      ),
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Spate',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'ConsumerLag', Unit: 'Count' },
              { Name: 'TweetsPerSecond', Unit: 'Count/Second' },
            ],
          },
        ],
      },
      service: 'nlp',
      ConsumerLag: 1234,
      TweetsPerSecond: 4100.5,
    });
  });
});

describe('TransactionSizer', () => {
  it('starts small, grows to what the target time holds, and stays within bounds', () => {
    const sizer = new TransactionSizer({ targetMs: 100, min: 50, max: 2000 });
    expect(sizer.size).toBe(50);
    sizer.observe(500, 50); // 10 records/ms
    expect(sizer.size).toBe(1000);
    for (let i = 0; i < 20; i++) sizer.observe(1000, 10); // 100 records/ms
    expect(sizer.size).toBe(2000);
    for (let i = 0; i < 20; i++) sizer.observe(10, 100); // 0.1 records/ms
    expect(sizer.size).toBe(50);
  });

  it('rejects bounds that cannot hold, naming the field', () => {
    expect(() => new TransactionSizer({ targetMs: 100, min: 0, max: 10 })).toThrow(/transactions.min/);
    expect(() => new TransactionSizer({ targetMs: 100, min: 10, max: 5 })).toThrow(/transactions.max/);
    expect(() => new TransactionSizer({ targetMs: 0, min: 1, max: 5 })).toThrow(/transactions.targetMs/);
  });
});
