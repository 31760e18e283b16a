import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ArchivedEvent } from '../../core/aggregation/archive-key.ts';

const gunzipAsync = promisify(gunzip);

/** Every archive object key under a prefix, in key order (offset order within an hour). */
export async function listArchiveKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) if (item.Key?.endsWith('.ndjson.gz')) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function readArchiveObject(s3: S3Client, bucket: string, key: string): Promise<ArchivedEvent[]> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`${key}: empty object`);
  const bytes = Buffer.from(await object.Body.transformToByteArray());
  const text = (await gunzipAsync(bytes)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      const row = JSON.parse(line) as ArchivedEvent;
      if (typeof row.kafka_offset !== 'number')
        throw new Error(`${key} line ${i + 1}: kafka_offset: must be a number`);
      return row;
    });
}
