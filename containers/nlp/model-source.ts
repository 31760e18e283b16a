import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/**
 * On AWS the model comes from S3 at task start: every object under the prefix is copied
 * into `dir`, and model.onnx is checked against the expected SHA-256 before it is used.
 */
export async function fetchModelFromS3(uri: string, dir: string, sha256?: string): Promise<string> {
  const match = /^s3:\/\/([^/]+)\/(.+?)\/?$/u.exec(uri);
  if (match === null) throw new Error(`model uri ${uri}: must look like s3://bucket/prefix`);
  const [, bucket, prefix] = match as unknown as [string, string, string];
  const s3 = new S3Client({});
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
      await writeFile(join(dir, object.Key.slice(prefix.length + 1).replaceAll('/', '_')), body);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  if (sha256 !== undefined) {
    const actual = createHash('sha256')
      .update(await readFile(join(dir, 'model.onnx')))
      .digest('hex');
    if (actual !== sha256)
      throw new Error(`model.onnx from ${uri}: SHA-256 ${actual} is not the expected ${sha256}`);
  }
  return dir;
}
