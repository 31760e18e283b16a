/** Buckets of the local S3 (s3rver); on AWS the CDK stack names them and passes them in. */
export const LOCAL_BUCKETS = {
  archive: 'spate-archive',
  models: 'spate-models',
} as const;
