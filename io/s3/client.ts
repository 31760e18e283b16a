import { S3Client } from '@aws-sdk/client-s3';

export interface S3Settings {
  readonly region: string;
  /** An S3-compatible endpoint (s3rver locally); absent on AWS. */
  readonly endpoint?: string;
}

/**
 * One S3 client per process. Against a custom endpoint, addressing is path-style and
 * checksums are sent only where the API requires them: s3rver predates the SDK's default
 * CRC32 trailers and aws-chunked uploads, which it would store as part of the object.
 */
export function createS3Client(settings: S3Settings): S3Client {
  if (!settings.endpoint) return new S3Client({ region: settings.region });
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}
