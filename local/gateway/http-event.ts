import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formatRequestTime } from './identifiers.ts';

/** What the gateway knows about one HTTP request, independent of Node's request object. */
export interface HttpRequestFacts {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly sourcePort: number;
  readonly httpVersion: string;
  readonly requestId: string;
  readonly traceId: string;
  readonly timeEpoch: number;
}

export interface HttpApiFacts {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
}

export interface MatchedRoute {
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json\b/,
  /^application\/(.+\+)?xml\b/,
  /^application\/javascript\b/,
  /^application\/x-www-form-urlencoded\b/,
  /^application\/graphql\b/,
];

/**
 * API Gateway passes a body as text only when it is declared textual and not content-encoded;
 * anything else (binary, gzip, no content type) reaches the handler base64-encoded.
 */
export function isTextBody(headers: IncomingHttpHeaders): boolean {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'identity') return false;
  const type = headers['content-type']?.toLowerCase().trim();
  if (type === undefined || type === '') return false;
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

/** Lower-cased names, repeated headers comma-joined, cookies moved out as payload 2.0 does. */
export function joinHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue;
    joined[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return joined;
}

export function splitCookies(cookieHeader: string | undefined): string[] | undefined {
  if (cookieHeader === undefined || cookieHeader.trim() === '') return undefined;
  return cookieHeader
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

function decodeQueryPart(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Repeated keys are comma-joined, as in payload 2.0. */
export function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const params: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeQueryPart(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryPart(pair.slice(eq + 1));
    params[key] = params[key] === undefined ? value : `${params[key]},${value}`;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

export function splitUrl(url: string): { readonly rawPath: string; readonly rawQueryString: string } {
  const q = url.indexOf('?');
  return q === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, q), rawQueryString: url.slice(q + 1) };
}

/** Builds the payload format 2.0 event API Gateway's HTTP API hands to a Lambda integration. */
export function buildHttpEvent(
  request: HttpRequestFacts,
  api: HttpApiFacts,
  route: MatchedRoute,
): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitUrl(request.url);
  const host = request.headers.host ?? '';
  const headers = joinHeaders(request.headers);
  // API Gateway appends the caller to these, so handlers that read the client address work alike.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-port'] ??= String(request.sourcePort);
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] ??= request.traceId;

  const cookies = splitCookies(
    typeof request.headers.cookie === 'string' ? request.headers.cookie : undefined,
  );
  const queryStringParameters = parseQuery(rawQueryString);
  const hasBody = request.body.length > 0;
  // Bytes that are not UTF-8 would be replaced on the way to text; base64 lets the function see them.
  const text = isTextBody(request.headers) && isUtf8(request.body);

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: route.routeKey,
      stage: api.stage,
      time: formatRequestTime(request.timeEpoch),
      timeEpoch: request.timeEpoch,
    },
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    ...(hasBody ? { body: text ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !text,
  };
}
