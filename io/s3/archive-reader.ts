import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type ArchivedEvent, COMPACTED_NAME_PREFIX } from '../../core/aggregation/archive-key.ts';

const gunzipAsync = promisify(gunzip);

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Every archive object key under a prefix, in key order (offset order within an hour). */
export async function listArchiveKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listKeys(s3, bucket, prefix)).filter((key) => key.endsWith('.ndjson.gz')).sort();
}

/**
 * A compacted (Parquet) object that holds rows of an archive prefix: all its rows, or only those
 * whose source NDJSON key (`archive_key`) starts with `within`.
 */
export interface CompactedPart {
  readonly key: string;
  readonly within?: string;
}

/** What holds the archived rows of a prefix: NDJSON objects not compacted yet, and compacted ones. */
export interface ArchiveListing {
  /** gzip NDJSON keys under the prefix, in key order. */
  readonly batches: readonly string[];
  /** Compacted objects that hold rows of the prefix, in key order. */
  readonly compacted: readonly CompactedPart[];
}

const COMPACTED = new RegExp(
  `^(.*/)?(?:month=(\\d{4}-\\d{2})|dt=(\\d{4}-\\d{2}-\\d{2}))/${COMPACTED_NAME_PREFIX}[0-9a-f]+\\.parquet$`,
);

/**
 * The prefix every source key of a compacted object starts with: `…/dt=2026-01-` for the month
 * object `…/month=2026-01/compacted-….parquet`, `…/dt=2026-01-15/` for a day object.
 */
export function compactedCoverage(key: string): string | undefined {
  const match = COMPACTED.exec(key);
  if (!match) return undefined;
  const dir = match[1] ?? '';
  return match[2] ? `${dir}dt=${match[2]}-` : `${dir}dt=${match[3]}/`;
}

/**
 * Whether a compacted object holds rows of `prefix`, and which: undefined when none can be
 * under it; `{ key }` when all are (the object, or all it covers, is under the prefix);
 * `{ key, within: prefix }` when the prefix is narrower than the object (a day or an hour of a
 * compacted month).
 */
export function compactedPart(key: string, prefix: string): CompactedPart | undefined {
  const covers = compactedCoverage(key);
  if (covers === undefined) return undefined;
  if (key.startsWith(prefix) || covers.startsWith(prefix)) return { key };
  if (prefix.startsWith(covers)) return { key, within: prefix };
  return undefined;
}

/**
 * Where compacted objects that may hold rows of `prefix` live, besides under it: the rows of
 * `events/project=shop/dt=2026-01-15/` may be in `events/project=shop/month=2026-01/…`, those of
 * an hour in its day's `dt=…/compacted-….parquet`.
 */
export function compactedListPrefixes(prefix: string): string[] {
  const segments = prefix.split('/');
  const first = segments.findIndex((s) => /^(?:dt|month|hour)=/.test(s));
  if (first === -1) return [];
  const scope = segments
    .slice(0, first)
    .map((s) => `${s}/`)
    .join('');
  const out = [`${scope}month=`];
  const day = segments[first];
  // A prefix beyond a whole day (`…/dt=2026-01-15/hour=03/`): that day's compacted object.
  if (day?.startsWith('dt=') && first + 1 < segments.length && segments.slice(first + 1).join('/') !== '')
    out.push(`${scope}${day}/${COMPACTED_NAME_PREFIX}`);
  return out;
}

/**
 * The archive under a prefix as a replay reads it: its NDJSON objects and every compacted
 * object that holds some of its rows (compaction moved them out of the NDJSON objects, and a
 * month's object lies outside a day's prefix).
 */
export async function listArchiveForReplay(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ArchiveListing> {
  const listed = await Promise.all(
    [prefix, ...compactedListPrefixes(prefix)].map((p) => listKeys(s3, bucket, p)),
  );
  const batches = listed[0]!.filter((key) => key.endsWith('.ndjson.gz')).sort();
  const compacted = new Map<string, CompactedPart>();
  for (const key of listed.flat()) {
    const part = compactedPart(key, prefix);
    if (part) compacted.set(key, part);
  }
  return {
    batches,
    compacted: [...compacted.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
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
