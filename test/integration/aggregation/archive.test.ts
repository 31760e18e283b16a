import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveConfig } from '../../../io/s3/archive-config.ts';
import { listArchiveKeys, readArchiveObject } from '../../../io/s3/archive-reader.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';

describe('archive function against s3rver', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  let archive: ArchiveFunction;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spate-archive-'));
    s3 = await startLocalS3({ port: 0, dataDir });
    client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const config: ArchiveConfig = {
      s3: { region: 'us-east-1', endpoint: s3.endpoint },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'events',
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    };
    archive = createArchiveFunction(config);
  });

  afterAll(async () => {
    await archive?.close();
    client?.destroy();
    await s3?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes hourly objects keyed by offset range; a redelivered batch overwrites them', async () => {
    const events = [
      enrichedEvent({ project: 'shop', timestamp: '2026-01-15T10:10:00Z' }),
      enrichedEvent({
        project: 'shop',
        timestamp: '2026-01-15T11:10:00Z',
        type: 'purchase',
        order: { id: 'o', revenue: 5, currency: 'EUR' },
      }),
      enrichedEvent({ project: 'blog', timestamp: '2026-01-15T10:20:00Z' }),
      enrichedEvent({ project: 'shop', timestamp: '2026-01-15T10:30:00Z' }),
    ];
    const msk = mskEventOf(events, { partition: 5, firstOffset: 1000 });
    const first = await archive.handler(msk, createLambdaContext('archive'));
    expect(first).toMatchObject({ objects: 3, events: 4 });
    await archive.handler(msk, createLambdaContext('archive'));

    const keys = await listArchiveKeys(client, LOCAL_BUCKETS.archive, 'events/');
    expect(keys).toEqual([
      'events/project=blog/dt=2026-01-15/hour=10/events.raw-5-00000000000000001002-00000000000000001002.ndjson.gz',
      'events/project=shop/dt=2026-01-15/hour=10/events.raw-5-00000000000000001000-00000000000000001003.ndjson.gz',
      'events/project=shop/dt=2026-01-15/hour=11/events.raw-5-00000000000000001001-00000000000000001001.ndjson.gz',
    ]);
    const rows = await readArchiveObject(client, LOCAL_BUCKETS.archive, keys[1]!);
    expect(rows.map((r) => [r.kafka_topic, r.kafka_partition, r.kafka_offset, r.event_id])).toEqual([
      ['events.raw', 5, 1000, events[0]!.event_id],
      ['events.raw', 5, 1003, events[3]!.event_id],
    ]);
    expect(rows[0]).toMatchObject({ project: 'shop', type: 'page_view', timestamp: '2026-01-15T10:10:00Z' });
  });
});
