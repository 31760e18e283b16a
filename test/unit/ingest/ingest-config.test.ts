import { describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { readIngestConfig } from '../../../io/config/ingest-config.ts';

const keys = JSON.stringify({ shop: hashWriteKey('wk') });

describe('readIngestConfig', () => {
  it('reads defaults for the local broker', async () => {
    const config = readIngestConfig({ SPATE_WRITE_KEYS: keys });
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:19092'],
      clientId: 'spate-ingest',
      auth: 'none',
      region: undefined,
    });
    expect((await config.writeKeys()).get(hashWriteKey('wk'))).toBe('shop');
    expect(config.kafkaCompression).toBe('gzip');
  });

  it('reads MSK settings', () => {
    const config = readIngestConfig({
      SPATE_WRITE_KEYS: keys,
      SPATE_KAFKA_BROKERS: 'b-1.msk:9098, b-2.msk:9098',
      SPATE_KAFKA_AUTH: 'msk-iam',
      AWS_REGION: 'eu-west-1',
      SPATE_PRODUCE_TIMEOUT_MS: '2500',
    });
    expect(config.kafka).toMatchObject({
      brokers: ['b-1.msk:9098', 'b-2.msk:9098'],
      auth: 'msk-iam',
      region: 'eu-west-1',
    });
    expect(config.produceTimeoutMs).toBe(2500);
  });

  it('names the variable and the rule when a value is wrong', () => {
    expect(() => readIngestConfig({})).toThrow(
      new ConfigError(
        'SPATE_WRITE_KEYS (or SPATE_WRITE_KEYS_SECRET_ARN, the ARN of a secret holding it) is required: JSON {"<project>": "<sha256 hex of its write key>"}',
      ),
    );
    expect(() => readIngestConfig({ SPATE_WRITE_KEYS: keys, SPATE_PRODUCE_TIMEOUT_MS: 'soon' })).toThrow(
      /SPATE_PRODUCE_TIMEOUT_MS must be an integer from 100 to 60000, got "soon"/,
    );
    expect(() => readIngestConfig({ SPATE_WRITE_KEYS: keys, SPATE_KAFKA_AUTH: 'scram' })).toThrow(
      /SPATE_KAFKA_AUTH must be one of none, msk-iam/,
    );
    expect(() => readIngestConfig({ SPATE_WRITE_KEYS: '{"shop":"abc"}' })).toThrow(
      /SPATE_WRITE_KEYS\.shop must be/,
    );
  });
});
