import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
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
 * Top-level prefix of the events archive (SPATE_ARCHIVE_PREFIX's default): what the archive
 * function writes, the cold tier reads and compaction rewrites.
 */
export const ARCHIVE_EVENTS_PREFIX = 'events';

/**
 * The cold tier: every event, kept for compliance and as the replay source. Encrypted with
 * a customer key, TLS only, versioned, moving to Infrequent Access at 30 days and Glacier
 * Instant Retrieval at 90: every object stays readable by a plain GET (ClickHouse's s3(), a
 * replay), which Glacier Flexible Retrieval would not allow without a restore.
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
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(90),
            },
          ],
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          ...(expiration > 0 ? { expiration: Duration.days(expiration) } : {}),
        },
        {
          // Compaction deletes the objects it merged: each leaves a delete marker, which goes
          // once its object's last version has expired (a rule apart: S3 takes this action only
          // in a rule without an expiration in days).
          id: 'expired-delete-markers',
          expiredObjectDeleteMarker: true,
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

  /**
   * Writes objects under the events prefix only (compaction's Parquet objects, written by
   * ClickHouse); the put grant includes encrypting with the archive key.
   */
  grantWriteEvents(grantee: iam.IGrantable): void {
    this.bucket.grantPut(grantee, `${ARCHIVE_EVENTS_PREFIX}/*`);
  }

  /**
   * Lists the events prefix and deletes objects under it, nothing else: compaction removes the
   * objects it merged. s3:DeleteObject only (not DeleteObjectVersion): a delete leaves a marker
   * and the version stays recoverable until the lifecycle expires it.
   */
  grantCompact(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_EVENTS_PREFIX}/*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${ARCHIVE_EVENTS_PREFIX}/*`)],
    });
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
