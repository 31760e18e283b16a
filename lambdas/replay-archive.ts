import type { S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { replayEvents } from '../core/aggregation/replay-batches.ts';
import { listArchiveKeys, readArchiveObject } from '../io/s3/archive-reader.ts';

/**
 * Archived events under a prefix as MSK events with their original topic, partition and
 * offsets; overlapping objects (a redelivered batch cut differently) give each offset once.
 */
export async function readArchiveBatches(
  s3: S3Client,
  bucket: string,
  prefix: string,
  batchSize: number,
): Promise<{ objects: number; events: number; batches: MSKEvent[] }> {
  const keys = await listArchiveKeys(s3, bucket, prefix);
  const rows = (await Promise.all(keys.map((k) => readArchiveObject(s3, bucket, k)))).flat();
  const batches = replayEvents(rows, batchSize);
  const events = batches.reduce((n, b) => n + Object.values(b.records).reduce((m, r) => m + r.length, 0), 0);
  return { objects: keys.length, events, batches };
}
