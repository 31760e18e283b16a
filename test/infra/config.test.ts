import { describe, expect, it } from 'vitest';
import { batchingWindow } from '../../lib/aggregators.ts';
import { DEV_CONFIG, PROD_CONFIG } from '../../lib/config.ts';
import { configProblems, gpuVcpusNeeded, resolveConfig } from '../../lib/config-validation.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../../lib/streaming/kafka-versions.ts';

describe('configuration', () => {
  it('accepts both presets as they ship', () => {
    expect(configProblems(DEV_CONFIG)).toEqual([]);
    expect(configProblems(PROD_CONFIG)).toEqual([]);
  });

  it('dev is the cheap shape and prod the resilient one', () => {
    expect(DEV_CONFIG.streaming).toMatchObject({ mode: 'provisioned', brokerInstanceType: 'kafka.t3.small' });
    expect(DEV_CONFIG.hot.mode).toBe('serverless');
    expect(DEV_CONFIG.nlp).toMatchObject({ minTasks: 0, maxTasks: 1 });
    expect(PROD_CONFIG.streaming.mode).toBe('provisioned');
    expect(PROD_CONFIG.hot.mode).toBe('replication-group');
    expect(PROD_CONFIG.maxAzs).toBeGreaterThanOrEqual(3);
    expect(PROD_CONFIG.nlp.minTasks).toBeGreaterThanOrEqual(1);
    expect(PROD_CONFIG.nlp.maxTasks).toBeGreaterThan(PROD_CONFIG.nlp.minTasks);
  });

  it('takes browser origins per project, and refuses one that is not an origin by name', () => {
    const withOrigins = (origins: string[]) => ({
      ...DEV_CONFIG,
      ingest: { ...DEV_CONFIG.ingest, corsOrigins: { shop: origins } },
    });
    expect(configProblems(withOrigins(['https://shop.example', 'http://localhost:5173']))).toEqual([]);
    expect(configProblems(withOrigins(['*']))).toEqual([]);
    expect(configProblems(withOrigins(['shop.example/']))).toEqual([
      'ingest.corsOrigins.shop must list origins as scheme://host[:port] or "*" (got "shop.example/")',
    ]);
  });

  it('chooses the preset by context env, dev by default', () => {
    expect(resolveConfig(undefined).name).toBe('dev');
    expect(resolveConfig('prod').streaming.mode).toBe('provisioned');
    expect(() => resolveConfig('staging')).toThrow(/context env must be "dev" or "prod" \(got staging\)/);
  });

  it('merges context overrides and replaces a sub-object whose mode changes', () => {
    const c = resolveConfig('dev', {
      nlp: { maxTasks: 3, gpuVcpuQuota: 16 },
      warehouse: { mode: 'external', url: 'https://abc.clickhouse.cloud:8443', credentialsSecretName: 'ch' },
    });
    expect(c.nlp).toMatchObject({ maxTasks: 3, minTasks: 0, instanceType: 'g5.xlarge' });
    expect(c.warehouse).toEqual({
      mode: 'external',
      url: 'https://abc.clickhouse.cloud:8443',
      credentialsSecretName: 'ch',
    });
  });

  it('names every broken field and its rule at once', () => {
    let message = '';
    try {
      resolveConfig('prod', {
        streaming: { brokerCount: 4 },
        nlp: { instanceType: 'p4d.24xlarge', minTasks: 5, maxTasks: 2 },
        logRetentionDays: 10,
        archiveExpirationDays: 60,
        ingest: { domain: { name: 'in.example.com', certificateArn: 'nope' } },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('Invalid Spate configuration "prod"');
    expect(message).toContain('streaming.brokerCount must be a multiple of maxAzs (4 % 3 != 0)');
    expect(message).toContain('nlp.instanceType must be a g5 or g6 GPU instance type (got p4d.24xlarge)');
    expect(message).toContain('nlp.maxTasks must be >= nlp.minTasks (2 < 5)');
    expect(message).toMatch(/logRetentionDays must be one of .* \(got 10\)/);
    expect(message).toContain('archiveExpirationDays must be 0 (keep) or more than 90');
    expect(message).toContain('ingest.domain.certificateArn must be an ACM certificate ARN (got nope)');
  });

  it('rejects a warehouse without https and an x86 ClickHouse instance', () => {
    expect(() =>
      resolveConfig('dev', { warehouse: { mode: 'external', url: 'http://x', credentialsSecretName: 's' } }),
    ).toThrow(/warehouse.url must be an https:\/\/ URL \(got http:\/\/x\)/);
    expect(() => resolveConfig('dev', { warehouse: { instanceType: 'm5.large' } })).toThrow(
      /warehouse.instanceType must be a Graviton/,
    );
    expect(() => resolveConfig('dev', { natGateways: 0 })).toThrow(/natGateways must be an integer >= 1/);
  });

  it('takes the Kafka version of a provisioned cluster from the one supported list only', () => {
    for (const v of SUPPORTED_KAFKA_VERSIONS)
      expect(configProblems(resolveConfig('prod', { streaming: { kafkaVersion: v } }))).toEqual([]);
    expect(() => resolveConfig('prod', { streaming: { kafkaVersion: '3.6.0' } })).toThrow(
      `streaming.kafkaVersion must be one MSK supports for new clusters: ${SUPPORTED_KAFKA_VERSIONS.join(', ')} (got 3.6.0)`,
    );
    // dev on a small provisioned cluster is held to the same list.
    expect(() =>
      resolveConfig('dev', {
        streaming: {
          mode: 'provisioned',
          brokerInstanceType: 'kafka.t3.small',
          brokerCount: 2,
          storageGiB: 10,
          kafkaVersion: '2.8.1',
        },
      }),
    ).toThrow(/streaming.kafkaVersion must be one MSK supports/);
  });

  it('refuses GPU capacity beyond the declared G-instance quota, naming the quota to request', () => {
    // prod: 8 tasks + 1 rollout host of g6.xlarge (4 vCPUs) on demand.
    expect(gpuVcpusNeeded(PROD_CONFIG.nlp)).toBe(36);
    expect(() => resolveConfig('prod', { nlp: { gpuVcpuQuota: 0 } })).toThrow(
      'nlp.gpuVcpuQuota is 0 vCPUs but up to 9 x g6.xlarge need 36: request "Running On-Demand G and VT instances" (L-DB2E81BA) of at least 36',
    );
    expect(() => resolveConfig('dev', { nlp: { gpuVcpuQuota: 4 } })).toThrow(
      /need 8: request "All G and VT Spot Instance Requests" \(L-3819A6DF\)/,
    );
    expect(resolveConfig('prod', { nlp: { maxTasks: 2, gpuVcpuQuota: 12 } }).nlp.maxTasks).toBe(2);
  });

  it('checks named availability zones and the API Gateway logging role mode', () => {
    expect(
      resolveConfig('dev', { availabilityZones: ['us-east-1a', 'us-east-1c'] }).availabilityZones,
    ).toEqual(['us-east-1a', 'us-east-1c']);
    expect(() => resolveConfig('prod', { availabilityZones: ['us-east-1a', 'us-east-1b'] })).toThrow(
      /availabilityZones must list exactly maxAzs \(3\) zones/,
    );
    expect(() => resolveConfig('dev', { availabilityZones: ['us-east-1a', 'eu-west-1b'] })).toThrow(
      /availabilityZones must all be in one region/,
    );
    expect(() => resolveConfig('dev', { apiGatewayCloudWatchRole: 'maybe' })).toThrow(
      /apiGatewayCloudWatchRole must be "create" or "existing" \(got maybe\)/,
    );
  });

  it('turns a mapping batching window into what MSK accepts', () => {
    expect(batchingWindow(500)).toEqual({});
    expect(batchingWindow(0).maxBatchingWindow?.toSeconds()).toBe(0);
    expect(batchingWindow(200)).toEqual({});
    expect(batchingWindow(1500).maxBatchingWindow?.toSeconds()).toBe(2);
    expect(batchingWindow(30_000).maxBatchingWindow?.toSeconds()).toBe(30);
    expect(() => batchingWindow(301_000)).toThrow(/batchingWindowMs must be at most 300000/);
  });
});
