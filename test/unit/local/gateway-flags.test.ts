import { describe, expect, it } from 'vitest';
import { readGatewayFlags } from '../../../local/stack/gateway-flags.ts';

describe('gateway process flags', () => {
  it('reads the HTTP API with its workers, site and health source', () => {
    expect(
      readGatewayFlags([
        ...['--apis', 'http', '--port', '4680', '--workers', '2'],
        ...['--static-dir', '/srv/site', '--health-url', 'http://127.0.0.1:9/health'],
      ]),
    ).toEqual({
      apis: 'http',
      port: 4680,
      workers: 2,
      staticDir: '/srv/site',
      healthUrl: 'http://127.0.0.1:9/health',
    });
  });

  it('names the flag and the rule it breaks', () => {
    expect(() => readGatewayFlags(['--apis', 'rest', '--port', '1'])).toThrow(
      '--apis: must be "http" or "websocket", got "rest"',
    );
    expect(() => readGatewayFlags(['--apis', 'http', '--port', '70000'])).toThrow(
      '--port: must be a port number',
    );
    expect(() => readGatewayFlags(['--apis', 'http', '--port', '1', '--workers', '0'])).toThrow(
      '--workers: must be an integer from 1 to 64',
    );
  });

  it('keeps the WebSocket API in one process, where its connections live', () => {
    expect(() => readGatewayFlags(['--apis', 'websocket', '--port', '1', '--workers', '2'])).toThrow(
      'the WebSocket API holds its connections in one process',
    );
  });
});
