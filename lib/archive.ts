import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArchiveProps {
  /** Days after which archived objects (and old versions) expire; 0 keeps them. @default 0 */
  readonly expirationDays?: number;
  /** Bucket receiving the server access logs of the archive. */
  readonly accessLogs: s3.IBucket;
}

/**
 * The cold tier: every event, kept for compliance and as the replay source. Encrypted with
 * a customer key, TLS only, versioned, moving to Infrequent Access at 30 days and Glacier at 90.
 */
export class Archive extends Construct {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ArchiveProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Spate archive' });
    const expiration = props.expirationDays ?? 0;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'tiering',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(90) },
          ],
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          ...(expiration > 0 ? { expiration: Duration.days(expiration) } : {}),
        },
      ],
    });
  }

  /**
   * Writes objects (a retry overwrites the same key, so no delete right is needed); the put
   * grant includes encrypting with the archive key.
   */
  grantWrite(grantee: iam.IGrantable): void {
    this.bucket.grantPut(grantee);
  }
}

/** The bucket every other bucket sends its server access logs to. */
export function accessLogBucket(scope: Construct, id: string, retentionDays: number): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(retentionDays) }],
  });
}
