import type { S3Client } from '@aws-sdk/client-s3';
import type { ClickHouseClient } from '@clickhouse/client';
import type { MSKEvent } from 'aws-lambda';
import type { ArchivedEvent } from '../core/aggregation/archive-key.ts';
import { replayEvents } from '../core/aggregation/replay-batches.ts';
import { MisconfiguredError } from '../core/errors/spate-error.ts';
import type { ColdTierConfig } from '../io/clickhouse/cold-tier-config.ts';
import { listArchiveForReplay, readArchiveObject } from '../io/s3/archive-reader.ts';
import { readCompactedRows } from '../io/s3/compaction.ts';

/** ClickHouse and its view of the archive bucket: what reads a compacted (Parquet) object. */
export interface CompactedReader {
  readonly clickhouse: ClickHouseClient;
  readonly cold: Pick<ColdTierConfig, 'bucketUrl' | 'credentials'>;
}

/** Raised when part of a prefix is compacted and no ClickHouse was given to read it. */
export class CompactedArchiveError extends MisconfiguredError {
  override readonly name: string = 'CompactedArchiveError';
  constructor(
    readonly prefix: string,
    readonly keys: readonly string[],
    hint: string,
  ) {
    const objects = `${keys.length} compacted (Parquet) object${keys.length === 1 ? '' : 's'}`;
    super(
      `${prefix}: part of it is in ${objects} (${keys[0]}${keys.length > 1 ? ', …' : ''}), ` +
        `which a replay reads through ClickHouse, and none is configured: ${hint}`,
    );
  }
}

export interface ArchiveBatches {
  /** NDJSON objects read. */
  readonly objects: number;
  /** Compacted objects read. */
  readonly compacted: number;
  /** Distinct (topic, partition, offset) replayed. */
  readonly events: number;
  readonly batches: MSKEvent[];
}

/**
 * Archived events under a prefix as MSK events with their original topic, partition and
 * offsets, each partition in offset order. Rows come from the NDJSON objects and from the
 * compacted objects that took in the rest (a day of a compacted month: that day's rows of the
 * month's object). Overlaps give each (topic, partition, offset) once: a redelivered batch cut
 * differently, and a compacted object next to a source not deleted yet (a compaction stopped
 * between its write and its delete).
 */
export async function readArchiveBatches(
  s3: S3Client,
  bucket: string,
  prefix: string,
  batchSize: number,
  compacted?: CompactedReader,
  missingReader = 'give a ClickHouse endpoint (SPATE_CLICKHOUSE_URL)',
): Promise<ArchiveBatches> {
  const listing = await listArchiveForReplay(s3, bucket, prefix);
  if (listing.compacted.length > 0 && !compacted)
    throw new CompactedArchiveError(
      prefix,
      listing.compacted.map((c) => c.key),
      missingReader,
    );
  const rows: ArchivedEvent[][] = await Promise.all([
    ...listing.batches.map((k) => readArchiveObject(s3, bucket, k)),
    ...listing.compacted.map((c) =>
      readCompactedRows(compacted!.clickhouse, compacted!.cold, c.key, c.within),
    ),
  ]);
  const batches = replayEvents(rows.flat(), batchSize);
  const events = batches.reduce((n, b) => n + Object.values(b.records).reduce((m, r) => m + r.length, 0), 0);
  return { objects: listing.batches.length, compacted: listing.compacted.length, events, batches };
}
