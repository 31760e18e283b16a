import { describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../../../core/mappings.ts';
import { defineAggregatorMapping } from '../../../core/mappings.ts';
import { TOPICS } from '../../../core/topics.ts';
import { readEsmConfig } from '../../../local/esm/config.ts';
import { handlerPath, selectMappings } from '../../../local/esm/handler-modules.ts';

describe('readEsmConfig', () => {
  it('defaults to any free status port, the local broker and every mapping', () => {
    expect(readEsmConfig([], {})).toEqual({
      port: 0,
      brokers: ['127.0.0.1:19092'],
      functions: undefined,
      handlersDir: undefined,
    });
  });

  it('takes flags over SPATE_* variables', () => {
    const env = { SPATE_ESM_PORT: '5000', SPATE_KAFKA_BROKERS: 'a:1', SPATE_ESM_FUNCTIONS: 'x' };
    expect(
      readEsmConfig(['--port', '4700', '--brokers', 'h1:9092, h2:9093', '--functions', 'aggregate'], env),
    ).toEqual({
      port: 4700,
      brokers: ['h1:9092', 'h2:9093'],
      functions: ['aggregate'],
      handlersDir: undefined,
    });
    expect(readEsmConfig([], env)).toMatchObject({ port: 5000, brokers: ['a:1'], functions: ['x'] });
    expect(readEsmConfig(['--handlers-dir', '/tmp/h'], {}).handlersDir).toBe('/tmp/h');
  });

  it('names the flag or variable and the rule on bad input', () => {
    expect(() => readEsmConfig(['--port', 'http'], {})).toThrow(
      '--port: must be a port number from 0 to 65535, got "http"',
    );
    expect(() => readEsmConfig([], { SPATE_KAFKA_BROKERS: 'nohost' })).toThrow(
      'SPATE_KAFKA_BROKERS: "nohost" is not host:port',
    );
    expect(() => readEsmConfig(['--functions', ' , '], {})).toThrow(
      /--functions: must list at least one entry/,
    );
    expect(() => readEsmConfig(['--bogus', '1'], {})).toThrow(/bogus/);
  });
});

describe('selectMappings', () => {
  const mappings: MappingDefinition[] = [
    defineAggregatorMapping('aggregate', TOPICS.eventsRaw.name, 500, 200, ['hot']),
    defineAggregatorMapping('archive', TOPICS.eventsRaw.name, 1000, 1000, ['cold']),
  ];

  it('runs every mapping unless some are named', () => {
    expect(selectMappings(mappings, undefined)).toEqual(mappings);
    expect(selectMappings(mappings, ['archive']).map((m) => m.functionName)).toEqual(['archive']);
  });

  it('rejects a function without a mapping, listing the known ones', () => {
    expect(() => selectMappings(mappings, ['nope'])).toThrow(
      'functions: nope has no mapping in core/mappings.ts (known: aggregate, archive)',
    );
  });

  it('finds the handler where the stack bundles it from', () => {
    expect(handlerPath('/repo/lambdas', 'aggregate')).toBe('/repo/lambdas/aggregate/handler.ts');
  });
});
