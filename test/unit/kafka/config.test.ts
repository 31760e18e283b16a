import { describe, expect, it } from 'vitest';
import { brokerConfigFromFlags } from '../../../local/kafka/config.ts';

describe('brokerConfigFromFlags', () => {
  it('reads the flags into a typed config with defaults', () => {
    expect(brokerConfigFromFlags({ port: '19092', dataDir: '/tmp/k' })).toEqual({
      port: 19092,
      host: '127.0.0.1',
      dataDir: '/tmp/k',
      partitions: 1,
      autoCreate: false,
    });
    expect(
      brokerConfigFromFlags({ port: '0', dataDir: 'd', partitions: '6', autoCreate: true }),
    ).toMatchObject({
      port: 0,
      partitions: 6,
      autoCreate: true,
    });
  });

  it('names the flag and the rule when a value is wrong', () => {
    expect(() => brokerConfigFromFlags({ dataDir: 'd' })).toThrow('--port is required');
    expect(() => brokerConfigFromFlags({ port: '70000', dataDir: 'd' })).toThrow(
      '--port must be an integer in 0..65535',
    );
    expect(() => brokerConfigFromFlags({ port: '1', dataDir: '' })).toThrow('--data-dir is required');
    expect(() => brokerConfigFromFlags({ port: '1', dataDir: 'd', partitions: 'many' })).toThrow(
      '--partitions must be an integer in 1..10000, got "many"',
    );
  });
});
