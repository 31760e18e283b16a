import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModelFromS3 } from '../../../containers/nlp/model-source.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';

let s3: LocalS3;
let client: S3Client;
let dir: string;
const bucket = LOCAL_BUCKETS.models;
const model = Buffer.from('not really onnx, but bytes to check');
const sha = createHash('sha256').update(model).digest('hex');

const put = (key: string, body: string | Buffer) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spate-nlp-model-'));
  s3 = await startLocalS3({ port: 0, dataDir: join(dir, 's3') });
  client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
  await put('good/model.onnx', model);
  await put('good/config.json', '{"id2label":{"0":"negative","1":"positive"}}');
  await put('good/model.onnx.sha256', `${sha}  model.onnx\n`);
  await put('bad/model.onnx', model);
  await put('bad/model.onnx.sha256', `${'0'.repeat(64)}  model.onnx\n`);
});

afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchModelFromS3', () => {
  it('copies every object under the prefix and checks model.onnx against the uploaded checksum', async () => {
    const into = await fetchModelFromS3(`s3://${bucket}/good/`, join(dir, 'good'), undefined, client);
    expect(readFileSync(join(into, 'model.onnx'))).toEqual(model);
    expect(readFileSync(join(into, 'config.json'), 'utf8')).toContain('id2label');
  });

  it('refuses a model whose bytes do not match the checksum, uploaded or configured', async () => {
    await expect(fetchModelFromS3(`s3://${bucket}/bad`, join(dir, 'bad'), undefined, client)).rejects.toThrow(
      /SHA-256 [0-9a-f]{64} is not the expected 0{64}/,
    );
    await expect(
      fetchModelFromS3(`s3://${bucket}/good`, join(dir, 'good2'), 'f'.repeat(64), client),
    ).rejects.toThrow(/is not the expected f{64}/);
  });
});
