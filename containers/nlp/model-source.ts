import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/**
 * On AWS the model comes from S3 at task start: every object under the prefix is copied
 * into `dir`, and model.onnx is checked against the expected SHA-256 before it is used:
 * SPATE_NLP_MODEL_SHA256 when set, else a `model.onnx.sha256` object uploaded beside the
 * model (`sha256sum model.onnx` output), so a truncated or mixed-up upload never serves.
 * Subfolders are kept: one export per head (sentiment/, offensive/, hate/) arrives as those
 * folders, and each head's model.onnx is checked against its own model.onnx.sha256
 * (SPATE_NLP_MODEL_SHA256 pins the model at the top only).
 */
export async function fetchModelFromS3(
  uri: string,
  dir: string,
  sha256?: string,
  s3: S3Client = new S3Client({}),
): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/(.+?)\/?$/u.exec(uri);
  if (match === null) throw new Error(`model uri ${uri}: must look like s3://bucket/prefix`);
  const [, bucket, prefix] = match as unknown as [string, string, string];
  await mkdir(dir, { recursive: true });
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const body = await got.Body?.transformToByteArray();
      if (body === undefined) throw new Error(`s3://${bucket}/${object.Key}: empty body`);
      const relative = object.Key.slice(prefix.length + 1);
      if (relative.split('/').some((part) => part === '..' || part === ''))
        throw new Error(`s3://${bucket}/${object.Key}: not a plain path under the prefix`);
      const target = join(dir, relative);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, body);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  if (existsSync(join(dir, 'model.onnx')) || sha256 !== undefined) await checkModel(uri, dir, sha256);
  for (const head of ['sentiment', 'offensive', 'hate'])
    if (existsSync(join(dir, head, 'model.onnx')))
      await checkModel(`${uri.replace(/\/+$/u, '')}/${head}`, join(dir, head));
  return dir;
}

async function checkModel(uri: string, dir: string, sha256?: string): Promise<void> {
  const expected = sha256 ?? (await sidecarChecksum(join(dir, 'model.onnx.sha256')));
  if (expected === undefined) return;
  const actual = createHash('sha256')
    .update(await readFile(join(dir, 'model.onnx')))
    .digest('hex');
  if (actual !== expected)
    throw new Error(`model.onnx from ${uri}: SHA-256 ${actual} is not the expected ${expected}`);
}

async function sidecarChecksum(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const hex = text.trim().split(/\s+/u)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/u.test(hex))
    throw new Error(`model.onnx.sha256: must start with 64 hex digits, got "${hex}"`);
  return hex;
}
