import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../local/gateway/index.ts';

/**
 * An HTTP API without CORS settings, as the ingest API is on AWS: preflights are routes like any
 * other, and the CORS headers a function sets reach the browser as it set them.
 */
describe('local gateway: an API whose function answers CORS', () => {
  let gateway: RunningGateway;
  const seen: APIGatewayProxyEventV2[] = [];

  beforeAll(async () => {
    const handler = async (event: APIGatewayProxyEventV2) => {
      seen.push(event);
      const origin = event.headers.origin;
      return {
        statusCode: event.requestContext.http.method === 'OPTIONS' ? 204 : 200,
        headers:
          origin === 'http://shop.test' ? { 'access-control-allow-origin': origin, vary: 'origin' } : {},
      };
    };
    gateway = await startGateway({
      log: () => undefined,
      httpRoutes: [
        { routeKey: 'POST /v1/t', functionName: 'ingest', handler },
        { routeKey: 'OPTIONS /v1/t', functionName: 'ingest', handler },
      ],
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('passes a preflight to the OPTIONS route, with the headers the browser sent', async () => {
    const response = await fetch(`${gateway.httpUrl}/v1/t`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://shop.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://shop.test');
    const preflight = seen.at(-1)!;
    expect(preflight.routeKey).toBe('OPTIONS /v1/t');
    expect(preflight.headers['access-control-request-headers']).toBe('authorization');
  });

  it('adds no CORS headers of its own: an origin the function does not answer gets none', async () => {
    const other = await fetch(`${gateway.httpUrl}/v1/t`, {
      method: 'POST',
      headers: { origin: 'http://evil.test', 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await fetch(`${gateway.httpUrl}/v1/x`, {
      method: 'OPTIONS',
      headers: { origin: 'http://shop.test' },
    });
    expect(none.status).toBe(404);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});
