import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ClickHouseException } from './exception.ts';

/**
 * HTTP compression as ClickHouse offers it: a compressed request body (Content-Encoding),
 * and a compressed response when the request sets `enable_http_compression=1` and
 * accepts one of the codecs.
 */
type Codec = (input: Buffer) => Promise<Buffer>;

const zstd = zlib as unknown as {
  zstdDecompress?: (input: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
  zstdCompress?: (input: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
};

const DECODERS: Record<string, Codec | undefined> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
  ...(zstd.zstdDecompress ? { zstd: promisify(zstd.zstdDecompress) } : {}),
};

const ENCODERS: Record<string, Codec | undefined> = {
  gzip: promisify(zlib.gzip),
  deflate: promisify(zlib.deflate),
  br: promisify(zlib.brotliCompress),
  ...(zstd.zstdCompress ? { zstd: promisify(zstd.zstdCompress) } : {}),
};

export async function decodeBody(contentEncoding: string | undefined, body: Buffer): Promise<Buffer> {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return body;
  const decode = DECODERS[encoding];
  if (!decode) {
    throw new ClickHouseException(
      48,
      'NOT_IMPLEMENTED',
      `Content-Encoding '${contentEncoding}' is not supported; use gzip, deflate, br${zstd.zstdDecompress ? ' or zstd' : ''}`,
    );
  }
  try {
    return await decode(body);
  } catch (err) {
    throw new ClickHouseException(
      354,
      'CANNOT_DECOMPRESS',
      `Cannot decompress the ${encoding} request body: ${(err as Error).message}`,
    );
  }
}

/** The codec for the response: the first one the client accepts that is available here. */
export function pickResponseEncoding(acceptEncoding: string | undefined): string | undefined {
  if (!acceptEncoding) return undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...rest] = part.trim().toLowerCase().split(';');
    if (rest.some((attr) => /^\s*q=0(\.0*)?\s*$/.test(attr))) continue;
    if (name && ENCODERS[name]) return name;
  }
  return undefined;
}

export function encodeBody(encoding: string, body: Uint8Array): Promise<Buffer> {
  const encode = ENCODERS[encoding];
  if (!encode) throw new Error(`no encoder for ${encoding}`);
  return encode(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
