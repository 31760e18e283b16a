import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/**
 * AWS Control Tower proactive controls (cfn-guard rules, run at synth) that Spate does not meet,
 * each with why, in one place as lib/nag-suppressions.ts is for cdk-nag. cfn-guard has no
 * per-resource suppression, so an acknowledged rule is off for the whole template at synth;
 * test/infra/guard-rules.test.ts runs every rule and holds each finding to the resources listed
 * here (logical id prefixes), so a new resource breaking an acknowledged rule still fails a test.
 */
export interface GuardAcknowledgement {
  /** The Control Tower control the rule implements. */
  readonly control: string;
  readonly reason: string;
  /** Logical id prefixes of the resources it covers; 'every' for a stack-wide choice. */
  readonly resources: 'every' | readonly string[];
}

const LOG_GROUP_CHOICE =
  'Operational logs, not an audit trail (the account keeps CloudTrail): their retention is the configured logRetentionDays, a cost choice per environment, and CloudWatch Logs encrypts them at rest with its own keys; a customer key per log group adds a key policy to every writer for no reader it keeps out.';

/**
 * The HTTP APIs' method resources (logical id prefixes): the query API's are read with a dashboard
 * token, and its POST, PUT and DELETE write a project's funnel definitions with the same token.
 */
const HTTP_API_METHODS = [
  'IngestApiOPTIONS',
  'IngestApiPOST',
  'QueryApiGET',
  'QueryApiPOST',
  'QueryApiPUT',
  'QueryApiDELETE',
] as const;

export const GUARD_ACKNOWLEDGEMENTS: Readonly<Record<string, GuardAcknowledgement>> = {
  api_gw_v2_authorization_type_configured_check: {
    control: 'CT.APIGATEWAY.PR.5',
    reason:
      'Ingest routes take Segment-style write keys and query routes dashboard tokens, both checked by the function (an API Gateway authorizer would add a call per request); CORS preflights must be open; WebSocket routes other than $connect cannot have an authorizer, $connect has one.',
    resources: [
      ...HTTP_API_METHODS,
      'PushApidisconnectRoute',
      'PushApisubscribeRoute',
      'PushApiunsubscribeRoute',
    ],
  },
  lambda_function_public_access_prohibited_check: {
    control: 'CT.LAMBDA.PR.2',
    reason:
      "API Gateway's invoke permissions carry the API's execute-api ARN as SourceArn, built with Fn::Join, which the rule does not read as a reference.",
    resources: [...HTTP_API_METHODS, 'PushApi'],
  },
  lambda_inside_vpc_check: {
    control: 'CT.LAMBDA.PR.3',
    reason:
      'Functions that call only AWS APIs and hold no data stay out of the VPC (in it they would need the NAT or an endpoint per service): CDK custom resource providers, the ECS drain hooks, and the WebSocket authorizer, which checks a token signature with a key from Secrets Manager.',
    resources: [
      'AWS679f53fac002430cb0da5b7982bd2287',
      'CustomCDKBucketDeployment',
      'NlpGpuInstancesDrainECSHook',
      'WarehouseInstancesDrainECSHook',
      'PushAuthorizerFunction',
      'StreamingTopicProviderframework',
    ],
  },
  cloudwatch_log_group_retention_period_check: {
    control: 'CT.CLOUDWATCH.PR.2',
    reason: LOG_GROUP_CHOICE,
    resources: 'every',
  },
  cloudwatch_log_group_encrypted_check: {
    control: 'CT.CLOUDWATCH.PR.3',
    reason: LOG_GROUP_CHOICE,
    resources: 'every',
  },
  cloudfront_origin_failover_enabled_check: {
    control: 'CT.CLOUDFRONT.PR.4',
    reason:
      'The dashboard is static files from one S3 bucket; a second origin would be a copy of it in another region to keep in step.',
    resources: ['QueryDistribution'],
  },
  cloudfront_custom_ssl_certificate_check: {
    control: 'CT.CLOUDFRONT.PR.6',
    reason:
      "The dashboard is served at its cloudfront.net name with CloudFront's certificate; a custom domain is the operator's to add.",
    resources: ['QueryDistribution'],
  },
  cloudfront_sni_enabled_check: {
    control: 'CT.CLOUDFRONT.PR.7',
    reason: "No custom certificate (CT.CLOUDFRONT.PR.6): CloudFront's own certificate has no SNI setting.",
    resources: ['QueryDistribution'],
  },
  cloudfront_security_policy_check: {
    control: 'CT.CLOUDFRONT.PR.9',
    reason:
      "No custom certificate (CT.CLOUDFRONT.PR.6): with CloudFront's own certificate the TLS policy is CloudFront's.",
    resources: ['QueryDistribution'],
  },
  ec2_launch_template_monitoring_enabled_check: {
    control: 'CT.EC2.PR.10',
    reason:
      'Nothing reads 1-minute EC2 metrics: NLP scales on consumer lag and CPU through ECS, ClickHouse is one instance watched by its task count and disk; detailed monitoring would bill for every instance.',
    resources: ['NlpLaunchTemplate', 'WarehouseLaunchTemplate'],
  },
  ec2_launch_template_nitro_instance_type_check: {
    control: 'CT.EC2.PR.15',
    reason: "g6 instances are Nitro-based; the rule's bundled list of Nitro types predates them.",
    resources: ['NlpLaunchTemplate'],
  },
  autoscaling_multiple_az_check: {
    control: 'CT.AUTOSCALING.PR.1',
    reason:
      'ClickHouse is one instance tied to its data volume, which lives in one zone; GPU hosts go where the configured zones offer them (docs/deploy.md, zones).',
    resources: ['NlpGpuInstancesASG', 'WarehouseInstancesASG'],
  },
  autoscaling_mixed_instances_policy_multiple_instance_types_check: {
    control: 'CT.AUTOSCALING.PR.6',
    reason:
      'Each group runs one instance type on purpose: task memory limits and the GPU build are sized for it, and ClickHouse for its host.',
    resources: ['NlpGpuInstancesASG', 'WarehouseInstancesASG'],
  },
  ecs_task_definition_nonroot_user_check: {
    control: 'CT.ECS.PR.3',
    reason:
      "The images set their users: the NLP image runs as USER spate; ClickHouse's official entrypoint starts as root only to own the mounted data volume, then runs the server as the clickhouse user.",
    resources: ['NlpTask', 'WarehouseTask'],
  },
  ecs_containers_readonly_access_check: {
    control: 'CT.ECS.PR.6',
    reason:
      'The NLP worker copies its model to local disk at start and ClickHouse writes temporary files beside its data.',
    resources: ['NlpTask', 'WarehouseTask'],
  },
  kms_create_grant_aws_service_check: {
    control: 'CT.KMS.PR.3',
    reason:
      "The keys' only statement with kms:CreateGrant is CDK's default one for the account root, which hands key access to IAM policies; no principal outside the account gets it.",
    resources: ['ArchiveKey', 'ObservabilityKey'],
  },
  s3_bucket_object_lock_enabled_check: {
    control: 'CT.S3.PR.9',
    reason:
      'Archive objects are overwritten by design when a batch is retried (keys from topic, partition and offsets: DESIGN.md section 4); the other buckets hold logs, the site, the model and ClickHouse parts, all replaced or expired by the stack.',
    resources: ['AccessLogs', 'ArchiveBucket', 'NlpModels', 'QuerySite', 'WarehouseColdParts'],
  },
  s3_event_notifications_enabled_check: {
    control: 'CT.S3.PR.4',
    reason: 'Nothing reacts to objects arriving in these buckets.',
    resources: ['AccessLogs', 'ArchiveBucket', 'NlpModels', 'QuerySite', 'WarehouseColdParts'],
  },
  s3_bucket_default_encryption_kms_check: {
    control: 'CT.S3.PR.10',
    reason:
      "Encrypted with S3-managed keys: access logs (S3 and CloudFront log delivery do not write with a customer key), the dashboard's static files (read by CloudFront), the model, and ClickHouse's cold parts; a customer key would add grants to every reader and writer where the bucket policies already confine access. The event archive has its own key.",
    resources: ['AccessLogs', 'NlpModels', 'QuerySite', 'WarehouseColdParts'],
  },
  s3_bucket_versioning_enabled_check: {
    control: 'CT.S3.PR.11',
    reason:
      'Logs expire, the site is redeployed from the repository, and ClickHouse manages its own parts (versions would keep every part it deletes).',
    resources: ['AccessLogs', 'QuerySite', 'WarehouseColdParts'],
  },
  s3_lifecycle_policy_check: {
    control: 'CT.S3.PR.6',
    reason:
      'Their contents live as long as the deployment: the model, the site, and the parts ClickHouse deletes itself.',
    resources: ['NlpModels', 'QuerySite', 'WarehouseColdParts'],
  },
  s3_version_lifecycle_policy_check: {
    control: 'CT.S3.PR.3',
    reason:
      'The model bucket is versioned so a model can be rolled back; it changes only with a new model, a few hundred megabytes a time.',
    resources: ['NlpModels'],
  },
  s3_bucket_logging_enabled_check: {
    control: 'CT.S3.PR.2',
    reason: 'It is the access log bucket itself: logging it into itself would log its own log writes.',
    resources: ['AccessLogs'],
  },
  s3_bucket_acl_prohibited_check: {
    control: 'CT.S3.PR.5',
    reason:
      "CloudFront standard logging delivers to the access log bucket through the bucket's ACL (log-delivery-write, bucket owner preferred).",
    resources: ['AccessLogs'],
  },
};

const RULES_DIR = join(
  dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard')),
  '..',
  'rules',
  'control-tower',
  'cfn-guard',
);

/** Rule name (as findings report it) to its rule file's name (as `disabledRules` takes it). */
export function guardRuleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const service of readdirSync(RULES_DIR)) {
    for (const file of readdirSync(join(RULES_DIR, service))) {
      const text = readFileSync(join(RULES_DIR, service, file), 'utf8');
      for (const m of text.matchAll(/^rule (\w+) when/gm)) files.set(m[1]!, parse(file).name);
    }
  }
  return files;
}

/** The reports of a large template exceed Node's default 1 MB of child process output. */
const GUARD_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Every Control Tower rule, none acknowledged: what the test holds to the list above. */
export function allGuardRules(): CfnGuardValidator {
  return new CfnGuardValidator({ maxBuffer: GUARD_OUTPUT_BYTES });
}

/** The synth-time validator: the Control Tower rules less those acknowledged above. */
export function spateGuardValidator(): CfnGuardValidator {
  const files = guardRuleFiles();
  const disabledRules = Object.keys(GUARD_ACKNOWLEDGEMENTS).map((rule) => {
    const file = files.get(rule);
    // A rule renamed or dropped by a package update must not leave its acknowledgement silently unused.
    if (!file)
      throw new Error(`acknowledged guard rule ${rule} is not among the bundled Control Tower rules`);
    return file;
  });
  return new CfnGuardValidator({ disabledRules, maxBuffer: GUARD_OUTPUT_BYTES });
}
