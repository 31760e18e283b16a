import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { LOCAL_BUCKETS } from './buckets.ts';

export interface LocalS3Options {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dataDir: string;
  /** @default every bucket of LOCAL_BUCKETS */
  readonly buckets?: readonly string[];
}

export interface LocalS3 {
  readonly port: number;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** s3rver with Spate's buckets, keeping objects on disk under dataDir. */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.dataDir, { recursive: true });
  const server = new S3rver({
    address: host,
    port: options.port,
    directory: options.dataDir,
    silent: true,
    configureBuckets: (options.buckets ?? Object.values(LOCAL_BUCKETS)).map((name) => ({
      name,
      configs: [],
    })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    port: address.port,
    endpoint: `http://${host}:${address.port}`,
    close: () => server.close(),
  };
}
