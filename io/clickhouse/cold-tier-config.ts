import { type Env, EnvReader } from '../config/env-reader.ts';

/** How ClickHouse reaches the S3 archive for the cold tier, read once. */
export interface ColdTierConfig {
  /**
   * Base URL of the archive bucket as ClickHouse sees it: path-style
   * `http://127.0.0.1:PORT/<bucket>` for s3rver, `https://<bucket>.s3.<region>.amazonaws.com`
   * on AWS.
   */
  readonly bucketUrl: string;
  /** Top-level prefix of the archive, as the archive function writes it. */
  readonly prefix: string;
  /** Static keys; when absent ClickHouse uses its own credentials (role) or none. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function readColdTierConfig(environment: Env): ColdTierConfig {
  const env = new EnvReader(environment);
  const bucket = env.string('SPATE_ARCHIVE_BUCKET', 'spate-archive');
  const endpoint = env.optional('SPATE_S3_ENDPOINT');
  const region = env.string('AWS_REGION', 'us-east-1');
  const bucketUrl =
    env.optional('SPATE_COLD_ARCHIVE_URL') ??
    (endpoint ? `${endpoint.replace(/\/+$/, '')}/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`);
  const accessKeyId = env.optional('SPATE_COLD_ACCESS_KEY_ID') ?? (endpoint ? 'S3RVER' : undefined);
  const secretAccessKey = env.optional('SPATE_COLD_SECRET_ACCESS_KEY') ?? (endpoint ? 'S3RVER' : undefined);
  return {
    bucketUrl,
    prefix: env.string('SPATE_ARCHIVE_PREFIX', 'events'),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
}
