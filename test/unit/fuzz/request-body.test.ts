import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../core/events/ingest-error.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { parseRequestBody, type RawBody } from '../../../core/limits/request-body.ts';

/** Whatever a body holds, the edge answers with a value or a 4xx IngestError, nothing else. */
function outcome(raw: RawBody): 'value' | number {
  try {
    parseRequestBody(raw, INGEST_LIMITS);
    return 'value';
  } catch (err) {
    if (!(err instanceof IngestError)) throw err;
    return err.status;
  }
}

const contentType = fc.oneof(
  fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', undefined),
  fc.string({ maxLength: 40 }),
);

describe('request body rules (property-based)', () => {
  it('answers any bytes, plain or gzip, base64 or not, with a value or a 4xx', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.boolean(),
        fc.constantFrom(undefined, 'gzip', 'identity', 'br', ' GZIP '),
        contentType,
        (bytes, gzipIt, encoding, type) => {
          const wire = gzipIt ? gzipSync(bytes) : Buffer.from(bytes);
          const result = outcome({
            body: wire.toString('base64'),
            isBase64Encoded: true,
            contentType: type,
            contentEncoding: gzipIt ? 'gzip' : encoding,
          });
          if (result !== 'value') expect(result).toBeGreaterThanOrEqual(400);
          if (result !== 'value') expect(result).toBeLessThan(500);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses invalid UTF-8 with a 400 naming utf8', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 50 }),
        fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
        (text, bad) => {
          const bytes = Buffer.concat([
            Buffer.from(`{"a":"${text.replace(/["\\]/g, '')}`),
            Buffer.from(bad),
            Buffer.from('"}'),
          ]);
          expect(() =>
            parseRequestBody(
              {
                body: bytes.toString('base64'),
                isBase64Encoded: true,
                contentType: 'application/json',
                contentEncoding: undefined,
              },
              INGEST_LIMITS,
            ),
          ).toThrow(expect.objectContaining({ status: 400, code: 'utf8' }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops every gzip bomb at the ratio or size limit with a 413', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2 * 1024 * 1024, max: 32 * 1024 * 1024 }),
        fc.constantFrom(0x20, 0x30, 0x7b),
        (size, byte) => {
          const bomb = gzipSync(Buffer.alloc(size, byte), { level: 9 });
          const result = outcome({
            body: bomb.toString('base64'),
            isBase64Encoded: true,
            contentType: 'application/json',
            contentEncoding: 'gzip',
          });
          expect(result).toBe(413);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('parses a JSON value round trip, gzip or not', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.boolean(), (value, gzipIt) => {
        const text = JSON.stringify(value);
        const wire = gzipIt ? gzipSync(text) : Buffer.from(text);
        const raw: RawBody = gzipIt
          ? {
              body: wire.toString('base64'),
              isBase64Encoded: true,
              contentType: 'application/json',
              contentEncoding: 'gzip',
            }
          : {
              body: text,
              isBase64Encoded: false,
              contentType: 'application/json',
              contentEncoding: undefined,
            };
        expect(parseRequestBody(raw, INGEST_LIMITS)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});
