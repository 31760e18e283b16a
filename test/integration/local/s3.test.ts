import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../io/s3/client.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';

describe('@aws-sdk/client-s3 against the local S3 (s3rver)', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  const Bucket = LOCAL_BUCKETS.archive;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spate-s3-'));
    s3 = await startLocalS3({ port: 0, dataDir });
    client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
  });

  afterAll(async () => {
    client.destroy();
    await s3.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts, lists, gets and deletes an object byte for byte', async () => {
    const Key = 'events/project=demo/dt=2026-11-21/hour=10/events.raw-0-0-99.ndjson.gz';
    const Body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
    await client.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'application/gzip' }));

    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'events/project=demo/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([Key]);

    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(Body);
    expect(got.ContentType).toBe('application/gzip');

    await client.send(new DeleteObjectCommand({ Bucket, Key }));
    await expect(client.send(new GetObjectCommand({ Bucket, Key }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('overwrites an object put twice under the same key (how archive retries stay idempotent)', async () => {
    const Key = 'replay/same-key.json';
    await client.send(new PutObjectCommand({ Bucket, Key, Body: 'first' }));
    await client.send(new PutObjectCommand({ Bucket, Key, Body: 'second' }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'replay/' }));
    expect(listed.KeyCount).toBe(1);
    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe('second');
  });

  it('pages a listing past 1,000 keys with continuation tokens (archives of years of history)', async () => {
    const keys = Array.from({ length: 1205 }, (_, i) => `paged/k-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))),
      );
    const first = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'paged/' }));
    expect({ count: first.KeyCount, truncated: first.IsTruncated }).toEqual({ count: 1000, truncated: true });
    const second = await client.send(
      new ListObjectsV2Command({ Bucket, Prefix: 'paged/', ContinuationToken: first.NextContinuationToken }),
    );
    expect({ count: second.KeyCount, truncated: second.IsTruncated }).toEqual({
      count: 205,
      truncated: false,
    });
    expect([...first.Contents!, ...second.Contents!].map((o) => o.Key)).toEqual(keys);
  }, 60_000);

  it('keeps objects across a restart on the same data dir', async () => {
    const Key = 'durable/object.txt';
    await client.send(new PutObjectCommand({ Bucket, Key, Body: 'kept' }));
    await s3.close();
    s3 = await startLocalS3({ port: 0, dataDir });
    client.destroy();
    client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe('kept');
  });
});
