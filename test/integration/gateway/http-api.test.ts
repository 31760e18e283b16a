import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../local/gateway/index.ts';

interface Seen {
  event: APIGatewayProxyEventV2;
  context: Context;
}

describe('local gateway: HTTP API', () => {
  let gateway: RunningGateway;
  const seen: Seen[] = [];
  const logs: string[] = [];
  let crashNext = true;

  beforeAll(async () => {
    gateway = await startGateway({
      bodyLimitBytes: 64 * 1024,
      log: (line) => logs.push(line),
      cors: { allowOrigins: ['http://dashboard.test'] },
      httpRoutes: [
        {
          routeKey: 'POST /v1/events',
          functionName: 'ingest',
          handler: async (event, context) => {
            seen.push({ event, context });
            return {
              statusCode: 202,
              headers: { 'x-spate-accepted': '3', 'content-type': 'application/json' },
              cookies: ['session=abc; Path=/', 'theme=dark'],
              body: JSON.stringify({ accepted: 3 }),
            };
          },
        },
        {
          routeKey: 'GET /v1/metrics/{name}',
          functionName: 'query',
          handler: async (event) => ({ route: event.routeKey, params: event.pathParameters }),
        },
        {
          routeKey: 'GET /v1/metrics/top',
          functionName: 'query',
          handler: async (event) => ({ route: event.routeKey }),
        },
        {
          routeKey: 'ANY /v1/{proxy+}',
          functionName: 'query',
          handler: async (event) => ({ route: event.routeKey, params: event.pathParameters }),
        },
        {
          routeKey: 'GET /v1/image',
          functionName: 'query',
          handler: async () => ({
            statusCode: 200,
            headers: { 'content-type': 'image/png' },
            body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]).toString('base64'),
            isBase64Encoded: true,
          }),
        },
        { routeKey: 'GET /v1/text', functionName: 'query', handler: async () => 'plain words' },
        {
          routeKey: 'POST /v1/crash',
          functionName: 'crash',
          handler: async () => {
            if (crashNext) {
              crashNext = false;
              throw new Error('handler exploded');
            }
            return { statusCode: 200, body: 'recovered' };
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('hands a handler the payload 2.0 event and maps its structured response back', async () => {
    const before = Date.now();
    const body = JSON.stringify({ event: 'signup', userId: 'u1' });
    const response = await fetch(`${gateway.httpUrl}/v1/events?src=web&tag=a&tag=b&q=hello%20world`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'spate-test/1.0',
        'X-Write-Key': 'wk_demo',
        cookie: 'a=1; b=2',
      },
      body,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-spate-accepted')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/', 'theme=dark']);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d$/);
    expect(await response.json()).toEqual({ accepted: 3 });

    expect(seen).toHaveLength(1);
    const { event, context } = seen[0]!;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('POST /v1/events');
    expect(event.rawPath).toBe('/v1/events');
    expect(event.rawQueryString).toBe('src=web&tag=a&tag=b&q=hello%20world');
    expect(event.queryStringParameters).toEqual({ src: 'web', tag: 'a,b', q: 'hello world' });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-write-key']).toBe('wk_demo');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.pathParameters).toBeUndefined();
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);

    const rc = event.requestContext;
    const host = new URL(gateway.httpUrl).host;
    expect(rc.accountId).toBe('000000000000');
    expect(rc.apiId).toBeTruthy();
    expect(rc.domainName).toBe(host);
    expect(rc.domainPrefix).toBe('127');
    expect(rc.http).toEqual({
      method: 'POST',
      path: '/v1/events',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'spate-test/1.0',
    });
    expect(rc.requestId).toBe(response.headers.get('apigw-requestid'));
    expect(rc.routeKey).toBe('POST /v1/events');
    expect(rc.stage).toBe('$default');
    expect(rc.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    const day = new Date(rc.timeEpoch).toUTCString().split(' ');
    expect(rc.time.startsWith(`${day[1]}/${day[2]}/${day[3]}`)).toBe(true);

    expect(context.functionName).toBe('ingest');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('passes a gzip body through base64-encoded with its content-encoding header', async () => {
    const raw = JSON.stringify({ batch: Array.from({ length: 50 }, (_, i) => ({ event: 'view', i })) });
    const gz = gzipSync(raw);
    const response = await fetch(`${gateway.httpUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gz,
    });
    expect(response.status).toBe(202);
    const { event } = seen.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(event.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(event.body!, 'base64').equals(gz)).toBe(true);
  });

  it('base64-encodes a binary body', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await fetch(`${gateway.httpUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const { event } = seen.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(bytes)).toBe(true);
  });

  it('decodes a base64 response body to bytes', async () => {
    const response = await fetch(`${gateway.httpUrl}/v1/image`);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
    );
  });

  it('answers a bare return value as 200 application/json', async () => {
    const json = await fetch(`${gateway.httpUrl}/v1/metrics/signups`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.json()).toEqual({ route: 'GET /v1/metrics/{name}', params: { name: 'signups' } });

    const text = await fetch(`${gateway.httpUrl}/v1/text`);
    expect(text.status).toBe(200);
    expect(await text.text()).toBe('plain words');
  });

  it('matches routes as API Gateway does: exact, then {param}, then {proxy+}', async () => {
    expect(await (await fetch(`${gateway.httpUrl}/v1/metrics/top`)).json()).toEqual({
      route: 'GET /v1/metrics/top',
    });
    expect(await (await fetch(`${gateway.httpUrl}/v1/metrics/a%20b`)).json()).toEqual({
      route: 'GET /v1/metrics/{name}',
      params: { name: 'a b' },
    });
    expect(await (await fetch(`${gateway.httpUrl}/v1/metrics/a/b`)).json()).toEqual({
      route: 'ANY /v1/{proxy+}',
      params: { proxy: 'metrics/a/b' },
    });
    expect(await (await fetch(`${gateway.httpUrl}/v1/funnels`, { method: 'DELETE' })).json()).toEqual({
      route: 'ANY /v1/{proxy+}',
      params: { proxy: 'funnels' },
    });
  });

  it('answers an unknown route with 404 Not Found', async () => {
    const response = await fetch(`${gateway.httpUrl}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('refuses a body over the limit with 413 without calling the handler', async () => {
    const count = seen.length;
    const response = await fetch(`${gateway.httpUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(64 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(seen.length).toBe(count);
  });

  it('refuses an oversized chunked body (no content-length) with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${gateway.httpUrl}/v1/events`);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('y'.repeat(8 * 1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('turns a handler throw into 500, logs one line, and keeps serving', async () => {
    const before = logs.length;
    const failed = await fetch(`${gateway.httpUrl}/v1/crash`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.length).toBe(before + 1);
    const line = JSON.parse(logs.at(-1)!);
    expect(line).toMatchObject({ level: 'ERROR', functionName: 'crash', routeKey: 'POST /v1/crash' });
    expect(line.error).toContain('handler exploded');

    const next = await fetch(`${gateway.httpUrl}/v1/crash`, { method: 'POST' });
    expect(next.status).toBe(200);
    expect(await next.text()).toBe('recovered');
  });

  it('answers CORS preflight for an allowed origin and tags responses', async () => {
    const preflight = await fetch(`${gateway.httpUrl}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'http://dashboard.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const allowed = await fetch(`${gateway.httpUrl}/v1/text`, {
      headers: { origin: 'http://dashboard.test' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    const other = await fetch(`${gateway.httpUrl}/v1/text`, { headers: { origin: 'http://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('local gateway: options', () => {
  it('names the field and the rule for a malformed route key', async () => {
    await expect(
      startGateway({ httpRoutes: [{ routeKey: 'FETCH /x', functionName: 'f', handler: async () => '' }] }),
    ).rejects.toThrow(/httpRoutes\[0\]\.routeKey: .*method "FETCH"/);
  });
});
