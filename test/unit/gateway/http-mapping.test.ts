import { describe, expect, it } from 'vitest';
import { buildHttpEvent, isTextBody, parseQuery, splitCookies } from '../../../local/gateway/http-event.ts';
import { InvalidIntegrationResponse, mapHttpResult } from '../../../local/gateway/http-response.ts';
import { formatRequestTime } from '../../../local/gateway/identifiers.ts';

describe('payload 2.0 request side', () => {
  it('formats request time as API Gateway does, in UTC', () => {
    expect(formatRequestTime(Date.UTC(2026, 10, 21, 10, 0, 0))).toBe('21/Nov/2026:10:00:00 +0000');
    expect(formatRequestTime(Date.UTC(2027, 0, 3, 4, 5, 6))).toBe('03/Jan/2027:04:05:06 +0000');
  });

  it('keeps textual bodies as text and base64-encodes the rest', () => {
    expect(isTextBody({ 'content-type': 'application/json; charset=utf-8' })).toBe(true);
    expect(isTextBody({ 'content-type': 'application/vnd.spate+json' })).toBe(true);
    expect(isTextBody({ 'content-type': 'text/plain' })).toBe(true);
    expect(isTextBody({ 'content-type': 'application/json', 'content-encoding': 'gzip' })).toBe(false);
    expect(isTextBody({ 'content-type': 'application/octet-stream' })).toBe(false);
    expect(isTextBody({})).toBe(false);
  });

  it('comma-joins repeated query keys and decodes values', () => {
    expect(parseQuery('a=1&a=2&b=x%20y&c=+z&flag')).toEqual({ a: '1,2', b: 'x y', c: ' z', flag: '' });
    expect(parseQuery('')).toBeUndefined();
  });

  it('splits the cookie header into the cookies array', () => {
    expect(splitCookies('a=1; b=2;c=3')).toEqual(['a=1', 'b=2', 'c=3']);
    expect(splitCookies(undefined)).toBeUndefined();
  });

  it('builds the event with joined headers, no cookie header and the raw path', () => {
    const event = buildHttpEvent(
      {
        method: 'GET',
        url: '/prod/v1/x?q=1',
        headers: {
          host: 'abc.execute-api.local:4680',
          cookie: 'a=1',
          'x-multi': 'one, two',
          'user-agent': 'ua',
        },
        body: Buffer.alloc(0),
        sourceIp: '10.0.0.9',
        sourcePort: 5555,
        httpVersion: '1.1',
        requestId: 'rid',
        traceId: 'Root=1-0-0',
        timeEpoch: Date.UTC(2026, 10, 21, 10, 0, 0),
      },
      { accountId: '000000000000', apiId: 'api', stage: 'prod' },
      { routeKey: 'GET /v1/x' },
    );
    expect(event.rawPath).toBe('/prod/v1/x');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-multi']).toBe('one, two');
    expect(event.headers['x-forwarded-for']).toBe('10.0.0.9');
    expect(event.requestContext.domainPrefix).toBe('abc');
    expect(event.requestContext.time).toBe('21/Nov/2026:10:00:00 +0000');
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });
});

describe('payload 2.0 response side', () => {
  it('maps a structured result with headers, multi-value headers and cookies', () => {
    const response = mapHttpResult({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
      multiValueHeaders: { 'x-tag': ['a', 'b'] },
      cookies: ['s=1', 't=2'],
      body: 'made',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({
      'content-type': 'text/plain',
      'x-count': '3',
      'x-tag': ['a', 'b'],
      'set-cookie': ['s=1', 't=2'],
    });
    expect(response.body.toString()).toBe('made');
  });

  it('decodes a base64 body', () => {
    expect(mapHttpResult({ statusCode: 200, body: 'AAEC', isBase64Encoded: true }).body).toEqual(
      Buffer.from([0, 1, 2]),
    );
  });

  it('treats anything without statusCode as a 200 JSON body', () => {
    expect(mapHttpResult({ ok: true })).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
    });
    expect(mapHttpResult({ ok: true }).body.toString()).toBe('{"ok":true}');
    expect(mapHttpResult([1, 2]).body.toString()).toBe('[1,2]');
    expect(mapHttpResult('hello').body.toString()).toBe('hello');
    expect(mapHttpResult(undefined).body.length).toBe(0);
  });

  it('rejects a malformed structured result', () => {
    expect(() => mapHttpResult({ statusCode: 'ok' })).toThrow(InvalidIntegrationResponse);
    expect(() => mapHttpResult({ statusCode: 200, body: { not: 'a string' } })).toThrow(
      /body must be a string/,
    );
    expect(() => mapHttpResult({ statusCode: 200, cookies: 'a=1' })).toThrow(/cookies must be an array/);
  });
});
