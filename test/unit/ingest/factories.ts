import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { IncomingEvent } from '../../../core/events/event-schema.ts';
import type { Tweet } from '../../../core/events/tweet.ts';

/** Builders for test records, in the manner of Powertools' event factories: valid by default. */
export function makeEvent(overrides: Partial<IncomingEvent> & Record<string, unknown> = {}): IncomingEvent {
  return {
    event_id: randomUUID(),
    type: 'page_view',
    user_id: 'user-1',
    session_id: 'session-1',
    timestamp: '2024-05-01T12:00:00.000Z',
    page: {
      url: 'https://shop.example/products/42?utm_source=newsletter&utm_medium=email',
      path: '/products/42',
    },
    ...overrides,
  } as IncomingEvent;
}

export function makeTweet(overrides: Partial<Tweet> = {}): Tweet {
  return {
    id: '1790000000000000001',
    text: 'Loving the new release #launch',
    lang: 'en',
    user: { id: 'u-9', followers: 120 },
    created_at: '2024-05-01T12:00:00.000Z',
    hashtags: ['launch'],
    ...overrides,
  };
}

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
export const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

export interface HttpApiEventOptions {
  readonly routeKey?: string;
  readonly body?: unknown;
  /** Raw body text, used as is instead of JSON-encoding `body`. */
  readonly rawBody?: string | Buffer;
  readonly gzip?: boolean;
  readonly headers?: Record<string, string>;
  readonly writeKey?: string | null;
  readonly sourceIp?: string;
  readonly timeEpoch?: number;
}

/** An API Gateway HTTP API (payload format 2.0) request event. */
export function makeHttpApiEvent(options: HttpApiEventOptions = {}): APIGatewayProxyEventV2 {
  const routeKey = options.routeKey ?? 'POST /v1/events';
  const [method = 'POST', path = '/'] = routeKey.split(' ');
  let bytes: Buffer =
    options.rawBody !== undefined
      ? Buffer.isBuffer(options.rawBody)
        ? options.rawBody
        : Buffer.from(options.rawBody)
      : Buffer.from(JSON.stringify(options.body ?? makeEvent()));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': CHROME_UA };
  if (options.gzip) {
    bytes = gzipSync(bytes);
    headers['content-encoding'] = 'gzip';
  }
  if (options.writeKey !== null) headers.authorization = `Bearer ${options.writeKey ?? 'test-write-key'}`;
  Object.assign(headers, options.headers);
  const binary = options.gzip || options.rawBody !== undefined;
  const timeEpoch = options.timeEpoch ?? Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.77',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(timeEpoch).toUTCString(),
      timeEpoch,
    },
    body: binary ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: binary,
  };
}
