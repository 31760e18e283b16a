import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../core/events/ingest-error.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { parseRequestBody, type RawBody } from '../../../core/limits/request-body.ts';

const json = (body: string, extra: Partial<RawBody> = {}): RawBody => ({
  body,
  isBase64Encoded: false,
  contentType: 'application/json',
  contentEncoding: undefined,
  ...extra,
});
const gz = (data: Buffer): RawBody => ({
  body: gzipSync(data).toString('base64'),
  isBase64Encoded: true,
  contentType: 'application/json',
  contentEncoding: 'gzip',
});

function refusal(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IngestError) return err;
    throw err;
  }
  throw new Error('expected an IngestError');
}

describe('parseRequestBody', () => {
  it('parses JSON, also sent as text/plain by beacons', () => {
    expect(parseRequestBody(json('{"a":1}'), INGEST_LIMITS)).toEqual({ a: 1 });
    expect(parseRequestBody(json('[1]', { contentType: 'text/plain;charset=UTF-8' }), INGEST_LIMITS)).toEqual(
      [1],
    );
  });

  it('refuses a missing or wrong content type with 400 naming it', () => {
    expect(
      refusal(() => parseRequestBody(json('{}', { contentType: undefined }), INGEST_LIMITS)),
    ).toMatchObject({
      status: 400,
      code: 'content_type',
    });
    const err = refusal(() =>
      parseRequestBody(json('{}', { contentType: 'application/xml' }), INGEST_LIMITS),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('application/xml');
  });

  it('refuses a charset other than utf-8', () => {
    const err = refusal(() =>
      parseRequestBody(json('{}', { contentType: 'application/json; charset=iso-8859-1' }), INGEST_LIMITS),
    );
    expect(err).toMatchObject({ status: 400, code: 'charset' });
  });

  it('refuses malformed JSON with 400', () => {
    const err = refusal(() => parseRequestBody(json('{"a":'), INGEST_LIMITS));
    expect(err).toMatchObject({ status: 400, code: 'json' });
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('refuses bytes that are not UTF-8', () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const raw: RawBody = { ...json(''), body: body.toString('base64'), isBase64Encoded: true };
    expect(refusal(() => parseRequestBody(raw, INGEST_LIMITS))).toMatchObject({ status: 400, code: 'utf8' });
  });

  it('refuses an empty body', () => {
    expect(refusal(() => parseRequestBody(json(''), INGEST_LIMITS))).toMatchObject({
      status: 400,
      code: 'empty_body',
    });
  });

  it('refuses a body over 1 MB with 413 naming maxBodyBytes', () => {
    const big = JSON.stringify({ pad: 'x'.repeat(INGEST_LIMITS.maxBodyBytes) });
    const err = refusal(() => parseRequestBody(json(big), INGEST_LIMITS));
    expect(err).toMatchObject({ status: 413, code: 'maxBodyBytes' });
    expect(err.message).toContain('maxBodyBytes');
  });

  it('decodes gzip bodies', () => {
    expect(parseRequestBody(gz(Buffer.from('{"ok":true}')), INGEST_LIMITS)).toEqual({ ok: true });
  });

  it('measures the 1 MB limit after gzip decoding', () => {
    // Random hex compresses only ~2x, so the ratio cap is not what trips here.
    const payload = Buffer.from(
      JSON.stringify({ pad: randomBytes(INGEST_LIMITS.maxBodyBytes / 2 + 10).toString('hex') }),
    );
    const err = refusal(() => parseRequestBody(gz(payload), INGEST_LIMITS));
    expect(err).toMatchObject({ status: 413, code: 'maxBodyBytes' });
  });

  it('stops a decompression bomb at the ratio cap', () => {
    const bomb = Buffer.alloc(900 * 1024, 0x20); // compresses ~1000x
    const err = refusal(() => parseRequestBody(gz(bomb), INGEST_LIMITS));
    expect(err).toMatchObject({ status: 413, code: 'maxDecompressionRatio' });
  });

  it('refuses an unknown content encoding and broken gzip', () => {
    expect(
      refusal(() => parseRequestBody(json('{}', { contentEncoding: 'br' }), INGEST_LIMITS)),
    ).toMatchObject({
      status: 400,
      code: 'content_encoding',
    });
    const broken: RawBody = { ...gz(Buffer.from('{}')), body: Buffer.from('not gzip').toString('base64') };
    expect(refusal(() => parseRequestBody(broken, INGEST_LIMITS))).toMatchObject({ status: 400 });
  });
});
