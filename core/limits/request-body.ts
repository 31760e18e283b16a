import { gunzipSync } from 'node:zlib';
import { IngestError } from '../events/ingest-error.ts';
import type { IngestLimits } from './ingest-limits.ts';
import { jsonDepth } from './json-depth.ts';

export interface RawBody {
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
  /** Lower-case header names, as API Gateway payload 2.0 gives them. */
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
}

// text/plain is what analytics.js and navigator.sendBeacon send to stay a "simple" CORS request.
const ACCEPTED_MEDIA_TYPES = new Set(['application/json', 'text/plain']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Checks media type and charset; a JSON body in any other shape is refused before it is read. */
export function checkContentType(contentType: string | undefined): void {
  if (!contentType) {
    throw new IngestError(400, 'content_type', 'content-type header is required: application/json');
  }
  const [mediaType = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (!ACCEPTED_MEDIA_TYPES.has(mediaType)) {
    throw new IngestError(
      400,
      'content_type',
      `content-type ${mediaType} is not accepted: send application/json (or text/plain)`,
    );
  }
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length);
  if (charset && charset.replaceAll('"', '') !== 'utf-8' && charset.replaceAll('"', '') !== 'utf8') {
    throw new IngestError(400, 'charset', `charset ${charset} is not accepted: bodies must be utf-8`);
  }
}

/** Bytes of the body after base64 and gzip decoding, within the size and ratio limits. */
export function decodeBodyBytes(raw: RawBody, limits: IngestLimits): Buffer {
  if (raw.body === undefined || raw.body.length === 0) {
    throw new IngestError(400, 'empty_body', 'request body is empty');
  }
  const wire = raw.isBase64Encoded ? Buffer.from(raw.body, 'base64') : Buffer.from(raw.body, 'utf8');
  const encoding = raw.contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') {
    if (wire.length > limits.maxBodyBytes) throw bodyTooLarge(limits);
    return wire;
  }
  if (encoding !== 'gzip') {
    throw new IngestError(400, 'content_encoding', `content-encoding ${encoding} is not accepted: use gzip`);
  }
  const ratioCap = wire.length * limits.maxDecompressionRatio;
  // The output cap stops inflation early, so a bomb costs at most this many bytes of memory.
  const cap = Math.min(limits.maxBodyBytes, ratioCap);
  let decoded: Buffer;
  try {
    decoded = gunzipSync(wire, { maxOutputLength: cap + 1 });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      if (cap === ratioCap && ratioCap < limits.maxBodyBytes) {
        throw new IngestError(
          413,
          'maxDecompressionRatio',
          `gzip body expands more than ${limits.maxDecompressionRatio}x (limit maxDecompressionRatio)`,
        );
      }
      throw bodyTooLarge(limits);
    }
    throw new IngestError(400, 'content_encoding', 'body is not valid gzip');
  }
  if (decoded.length > cap) {
    if (cap === ratioCap && ratioCap < limits.maxBodyBytes) {
      throw new IngestError(
        413,
        'maxDecompressionRatio',
        `gzip body expands more than ${limits.maxDecompressionRatio}x (limit maxDecompressionRatio)`,
      );
    }
    throw bodyTooLarge(limits);
  }
  return decoded;
}

/** The JSON value of a request body, after every request-level check. */
export function parseRequestBody(raw: RawBody, limits: IngestLimits): unknown {
  checkContentType(raw.contentType);
  const encoding = raw.contentEncoding?.trim().toLowerCase();
  if (!raw.isBase64Encoded && (!encoding || encoding === 'identity') && raw.body) {
    // Already text: the gateway decoded it as UTF-8, so only size and syntax are left to check,
    // without a round trip through bytes.
    if (raw.body.length > limits.maxBodyBytes || Buffer.byteLength(raw.body) > limits.maxBodyBytes) {
      throw bodyTooLarge(limits);
    }
    return parseJson(raw.body);
  }
  const bytes = decodeBodyBytes(raw, limits);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new IngestError(400, 'utf8', 'body is not valid UTF-8');
  }
  return parseJson(text);
}

// JSON.parse takes any depth but JSON.stringify recurses: a body nested thousands of levels
// deep would overflow the stack when encoded for events.dlq. No valid request comes near this.
const MAX_BODY_DEPTH = 64;

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new IngestError(400, 'json', `body is not valid JSON: ${(err as Error).message}`);
  }
  if (jsonDepth(value, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH) {
    throw new IngestError(
      400,
      'maxBodyDepth',
      `body nests deeper than ${MAX_BODY_DEPTH} levels (limit maxBodyDepth)`,
    );
  }
  return value;
}

function bodyTooLarge(limits: IngestLimits): IngestError {
  return new IngestError(
    413,
    'maxBodyBytes',
    `body exceeds ${limits.maxBodyBytes} bytes after decoding (limit maxBodyBytes)`,
  );
}
