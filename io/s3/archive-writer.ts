import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveObject } from '../../core/aggregation/archive-key.ts';

const gzipAsync = promisify(gzip);

export function encodeArchiveObject(object: ArchiveObject<object>): Promise<Buffer> {
  const text = object.rows.map((row) => JSON.stringify(row)).join('\n');
  return gzipAsync(`${text}\n`);
}

/**
 * Writes each object under its offset-range key. A retried batch produces the same keys and
 * bodies, so a retry overwrites rather than adds; that is the cold tier's exactly-once.
 */
export async function writeArchiveObjects(
  s3: S3Client,
  bucket: string,
  objects: readonly ArchiveObject<object>[],
): Promise<{ objects: number; bytes: number }> {
  let bytes = 0;
  await Promise.all(
    objects.map(async (object) => {
      const body = await encodeArchiveObject(object);
      bytes += body.length;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }),
      );
    }),
  );
  return { objects: objects.length, bytes };
}
