import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';

/** s3rver and chDB on free ports, the archive function writing to one, the cold tier reading it. */
export interface ColdArchiveStack {
  readonly s3: LocalS3;
  readonly endpoint: ClickHouseEndpoint;
  readonly client: ClickHouseClient;
  readonly archive: ArchiveFunction;
  /** The cold tier's view of the archive, as the query function gets it. */
  readonly cold: ColdTierConfig;
  close(): Promise<void>;
}

export interface ColdArchiveStackOptions {
  /**
   * Where S3 and ClickHouse keep their data, kept after close, so that a later stack on the
   * same folder finds what this one stored (a bench loads once and measures later).
   * @default two throwaway folders, removed on close
   */
  readonly dataDir?: string;
}

export async function startColdArchiveStack(
  name: string,
  options: ColdArchiveStackOptions = {},
): Promise<ColdArchiveStack> {
  const kept = options.dataDir;
  const dirs = kept
    ? [join(kept, 's3'), join(kept, 'clickhouse')].map((d) => {
        mkdirSync(d, { recursive: true });
        return d;
      })
    : [mkdtempSync(join(tmpdir(), `spate-${name}-s3-`)), mkdtempSync(join(tmpdir(), `spate-${name}-ch-`))];
  const s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
  const endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
  const client = createClient({ url: endpoint.url });
  const archive = createArchiveFunction({
    s3: { region: 'us-east-1', endpoint: s3.endpoint },
    bucket: LOCAL_BUCKETS.archive,
    prefix: 'events',
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  });
  return {
    s3,
    endpoint,
    client,
    archive,
    cold: {
      bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
      prefix: 'events',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    async close() {
      await archive.close();
      await client.close();
      await endpoint.close();
      await s3.close();
      if (!kept) for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
