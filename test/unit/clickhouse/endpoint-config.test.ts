import { describe, expect, it } from 'vitest';
import { pickResponseEncoding } from '../../../local/clickhouse/compression.ts';
import { readEndpointConfig } from '../../../local/clickhouse/endpoint-config.ts';
import { DEFAULT_PORTS } from '../../../local/ports.ts';

describe('endpoint command line', () => {
  it('reads port, data dir, host, credentials and pool size', () => {
    expect(
      readEndpointConfig([
        '--port',
        '0',
        '--data-dir',
        '/tmp/x',
        '--host',
        '0.0.0.0',
        '--user',
        'u',
        '--password',
        'p',
        '--pool-size',
        '3',
      ]),
    ).toEqual({ port: 0, dataDir: '/tmp/x', host: '0.0.0.0', users: { u: 'p' }, poolSize: 3 });
  });

  it('defaults the port to the local mirror one', () => {
    expect(readEndpointConfig(['--data-dir', 'd']).port).toBe(DEFAULT_PORTS.clickhouse);
  });

  it('names the flag and the rule on bad input', () => {
    expect(() => readEndpointConfig([])).toThrow(/--data-dir is required/);
    expect(() => readEndpointConfig(['--data-dir', 'd', '--port', '70000'])).toThrow(
      "--port must be an integer from 0 to 65535, got '70000'",
    );
    expect(() => readEndpointConfig(['--data-dir', 'd', '--password', 'p'])).toThrow(
      /--password needs --user/,
    );
    expect(() => readEndpointConfig(['--data-dir', 'd', '--nope'])).toThrow();
  });
});

describe('response compression negotiation', () => {
  it('picks the first accepted codec available', () => {
    expect(pickResponseEncoding('gzip')).toBe('gzip');
    expect(pickResponseEncoding('lz4, br;q=0.9, gzip')).toBe('br');
    expect(pickResponseEncoding('gzip;q=0, deflate')).toBe('deflate');
    expect(pickResponseEncoding('lz4')).toBeUndefined();
    expect(pickResponseEncoding(undefined)).toBeUndefined();
  });
});
