import { describe, expect, it } from 'vitest';
import { resolveGatewayOptions } from '../../../local/gateway/options.ts';

const handler = async () => ({ statusCode: 200 });

describe('gateway options', () => {
  it('fills API Gateway defaults', () => {
    const resolved = resolveGatewayOptions({});
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      httpPort: 0,
      wsPort: 0,
      bodyLimitBytes: 10 * 1024 * 1024,
      messageLimitBytes: 128 * 1024,
      integrationTimeoutMs: 30_000,
      httpStage: '$default',
      webSocketStage: 'local',
    });
  });

  it.each([
    [{ httpPort: 70000 }, /httpPort: must be an integer from 0 to 65535/],
    [{ wsPort: -1 }, /wsPort: must be an integer/],
    [{ bodyLimitBytes: 0 }, /bodyLimitBytes: must be a positive integer/],
    [{ stage: { webSocket: '$default' } }, /stage\.webSocket: "\$default" must be letters/],
    [{ stage: { http: 'my stage' } }, /stage\.http: "my stage"/],
    [{ httpRoutes: [{ routeKey: 'GET /x', functionName: '', handler }] }, /httpRoutes\[0\]\.functionName/],
    [
      {
        httpRoutes: [
          { routeKey: 'GET /x', functionName: 'a', handler },
          { routeKey: 'GET /x', functionName: 'b', handler },
        ],
      },
      /httpRoutes\[1\]\.routeKey: "GET \/x" is defined twice/,
    ],
    [{ webSocket: { routes: { $default: 'nope' as never } } }, /webSocket\.routes\["\$default"\]/],
    [{ webSocket: { routes: {}, routeSelectionExpression: '$request.body' } }, /routeSelectionExpression/],
    [{ cors: { allowOrigins: [''] } }, /cors\.allowOrigins/],
  ])('rejects %j naming the field', (options, rule) => {
    expect(() => resolveGatewayOptions(options)).toThrow(rule);
  });
});
