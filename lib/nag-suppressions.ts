import { type CfnElement, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { ARCHIVE_EVENTS_PREFIX } from './archive.ts';
import { NLP_TRANSACTIONAL_ID_PREFIX } from './nlp.ts';
import type { SpateStack } from './spate-stack.ts';

/**
 * Every cdk-nag AwsSolutions finding Spate accepts, each with its reason. Anything not listed
 * here fails `cdk synth` and the infra tests.
 */
const ack = (scope: IConstruct | undefined, id: string, reason: string) => {
  if (scope) Validations.of(scope).acknowledge({ id, reason });
};

const LAMBDA_MANAGED_POLICIES = [
  'AWSLambdaBasicExecutionRole',
  'AWSLambdaVPCAccessExecutionRole',
  'AWSLambdaMSKExecutionRole',
];

export function applyNagSuppressions(stack: SpateStack): void {
  for (const policy of LAMBDA_MANAGED_POLICIES) {
    ack(
      stack,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      `${policy} is the AWS-maintained minimum for a Lambda function (logs, VPC ENIs, MSK polling); AWS updates it as the service changes.`,
    );
  }
  ack(
    stack,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    'AWS Backup needs its managed service role policy to snapshot the ClickHouse data volume.',
  );
  ack(
    stack.apiGatewayAccount,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    "API Gateway's account logging role is meant to carry this AWS-maintained policy (logs of every API of the account, not only Spate's).",
  );
  // Resource '*' only where the API has no resource-level permissions.
  const wildcardReason =
    "Wildcard resources are only for actions without resource-level permissions: ec2 network interfaces of VPC functions, X-Ray PutTraceSegments, ECS instance registration, ECR GetAuthorizationToken, CloudWatch Logs delivery created by CDK, and the ClickHouse host's CloudWatch agent (PutMetricData, conditioned on the Spate namespace).";
  for (const scope of [
    stack.ingest.fn,
    stack.query.fn,
    stack.push.connect,
    stack.push.subscribe,
    stack.push.authorizer,
    stack.aggregators,
    stack.streaming,
  ]) {
    ack(scope, 'AwsSolutions-IAM5[Resource::*]', wildcardReason);
  }
  const resource = (arn: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`;
  const action = (name: string) => `AwsSolutions-IAM5[Action::${name}]`;
  const S3_READ = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];
  const objectsOf = (bucket: { bucketArn: string }) => resource(`${bucket.bucketArn}/*`);

  const ecsInstances =
    'ECS container instances register and submit state with ecs:Submit* on resources ECS does not scope.';
  for (const scope of [stack.nlp, stack.warehouse]) {
    ack(scope, action('ecs:Submit*'), ecsInstances);
    ack(scope, 'AwsSolutions-IAM5[Resource::*]', wildcardReason);
  }
  const modelRead =
    "The GPU workers read their models: CDK's read grant on objects of the model bucket only.";
  for (const a of S3_READ) ack(stack.nlp, action(a), modelRead);
  ack(stack.nlp, objectsOf(stack.nlp.modelBucket), modelRead);
  drainHooks(stack);
  const volume = stack.warehouse.dataVolume;
  if (volume)
    ack(
      stack.warehouse,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]',
      'The ClickHouse host attaches its data volume at boot; the grant is conditioned on a tag that only this volume and the instances of its Auto Scaling group carry, as instance ids are not known in advance.',
    );

  const cold = stack.warehouse.coldBucket;
  if (cold) {
    const coldReason =
      "ClickHouse's S3 disk reads, writes and deletes cold parts: CDK's read/write grant on objects of its own bucket only.";
    for (const a of [...S3_READ, 's3:Abort*', 's3:DeleteObject*'])
      ack(stack.warehouse, action(a), coldReason);
    ack(stack.warehouse, objectsOf(cold), coldReason);
  }

  const archiveRead =
    "ClickHouse answers the query function's history past the warm tier from the archive: CDK's read grant on the archive objects and key only.";
  if (stack.warehouse.service) {
    for (const a of S3_READ) ack(stack.warehouse, action(a), archiveRead);
    ack(stack.warehouse, objectsOf(stack.archive.bucket), archiveRead);
  }
  const eventObjects = resource(stack.archive.bucket.arnForObjects(`${ARCHIVE_EVENTS_PREFIX}/*`));
  const compaction = stack.compaction;
  if (compaction) {
    const compactedWrite =
      "Compaction has ClickHouse write the Parquet objects it merges into: CDK's put grant on objects under the archive's events prefix only (s3:Abort* ends its multipart uploads), and kms:GenerateDataKey*/ReEncrypt*, CDK's encrypt grant on the archive key.";
    for (const a of ['kms:GenerateDataKey*', 'kms:ReEncrypt*'])
      ack(stack.warehouse, action(a), compactedWrite);
    ack(stack.warehouse, eventObjects, compactedWrite);
    ack(
      compaction.fn,
      eventObjects,
      'Compaction deletes the archive objects it merged, whose keys it learns by listing: s3:DeleteObject on objects under the events prefix only (the listing is conditioned on that prefix).',
    );
    ack(compaction.fn, 'AwsSolutions-IAM5[Resource::*]', wildcardReason);
  }
  const archiveWrite =
    "Archive writers put objects under the archive bucket only; s3:Abort* ends their multipart uploads; kms:GenerateDataKey*/ReEncrypt* are CDK's encrypt grant on the archive key.";
  for (const a of ['s3:Abort*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'])
    ack(stack.aggregators, action(a), archiveWrite);
  ack(stack.aggregators, objectsOf(stack.archive.bucket), archiveWrite);
  ack(
    stack.aggregators,
    resource(stack.push.connectionsArn),
    'Posting to dashboard connections of the one WebSocket stage: connection ids are not known in advance.',
  );

  ack(
    stack.streaming,
    resource(stack.streaming.arns.allTopics()),
    'The topic provisioner creates and configures every topic of this one cluster.',
  );
  ack(
    stack.nlp,
    resource(stack.streaming.arns.transactionalId(NLP_TRANSACTIONAL_ID_PREFIX)),
    "The NLP worker's transactional producers own only their transactional-id prefix.",
  );
  ack(
    stack.streaming,
    resource(`${stack.streaming.topicProvisioner.functionArn}:*`),
    'The custom resource provider framework invokes versions of its own handler function.',
  );
  for (const scope of [stack.nlp, stack.warehouse]) {
    ack(
      scope,
      'AwsSolutions-AS3',
      'Instance capacity is managed by the ECS capacity provider; task-level failures raise the CloudWatch alarms and ECS deployment circuit breaker instead of per-instance notifications.',
    );
    ack(
      scope,
      'AwsSolutions-ECS2',
      'Only non-secret settings (broker list, bucket names, topic names) are environment variables; credentials come from Secrets Manager as ECS secrets.',
    );
  }
  ack(
    stack.ingest.api,
    'AwsSolutions-APIG4',
    "Ingest routes authenticate write keys in the function (Bearer, x-api-key or Segment's Basic auth, compared against hashed keys); a Lambda authorizer would add a second invocation per request without stronger checks.",
  );
  ack(
    stack.query.api,
    'AwsSolutions-APIG4',
    'The query function validates the dashboard token on every request; the API is reached through CloudFront.',
  );
  ack(
    stack.push.api,
    'AwsSolutions-APIG4',
    'Only $connect can be authorised on a WebSocket API; $disconnect and message routes belong to connections that passed the $connect authorizer.',
  );
  const distribution = stack.query.distribution;
  ack(
    distribution,
    'AwsSolutions-CFR1',
    'The dashboard is for the operating company worldwide; no geo restriction is implied.',
  );
  ack(
    distribution,
    'AwsSolutions-CFR2',
    'No WAF web ACL by default (it costs per rule and request); the API behind /v1/* is throttled at its stage and authenticated by token.',
  );
  ack(
    distribution,
    'AwsSolutions-CFR4',
    'With the default CloudFront certificate the viewer TLS policy cannot be raised; TLSv1.2_2021 applies once a custom domain certificate is attached.',
  );
  ack(
    stack.hot,
    'AwsSolutions-AEC6',
    'The cache authenticates with ElastiCache RBAC (a user group with a password user and a disabled default user), which replaces the single AUTH token the rule looks for.',
  );
  ack(
    stack.push.tokenSecret,
    'AwsSolutions-SMG4',
    'Rotating the dashboard token key invalidates every dashboard link already handed out, so it is rotated by an operator on purpose (docs/deploy.md), never on a schedule.',
  );
  siteDeployment(stack);
  for (const secret of [stack.hot.secret, stack.ingest.writeKeys, stack.warehouse.credentials]) {
    ack(
      secret,
      'AwsSolutions-SMG4',
      'Write keys are stored hashed and rotated by adding and removing keys; the cache and ClickHouse passwords are read by their servers at deploy or task start, so an unattended rotation would lock the clients out: they are rotated by the operator procedure of docs/deploy.md.',
    );
  }
}

/**
 * With managed termination protection off, CDK gives each ECS Auto Scaling group a lifecycle
 * hook (topic and function) that drains the instance's tasks before it terminates.
 */
function drainHooks(stack: SpateStack): void {
  const groups = [
    [stack.nlp, stack.nlp.node.tryFindChild('GpuInstances')],
    [stack.warehouse, stack.warehouse.node.tryFindChild('Instances')],
  ] as const;
  for (const [scope, group] of groups) {
    const asg = group?.node.tryFindChild('ASG') as CfnElement | undefined;
    if (!asg) continue;
    ack(
      scope,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<${stack.getLogicalId(asg)}>]`,
      'The CDK drain hook completes lifecycle actions of this one Auto Scaling group (its ARN has a generated id part).',
    );
    ack(
      scope,
      'AwsSolutions-L1',
      'The ECS drain hook function is generated by CDK for the Auto Scaling group; its runtime is chosen by CDK.',
    );
    ack(
      scope,
      'AwsSolutions-SNS3',
      'The lifecycle hook topic is generated by CDK for ECS instance draining and only Auto Scaling publishes to it.',
    );
  }
}

/**
 * BucketDeployment (dashboard site, NLP model) runs one CDK-provided function per stack that
 * copies the staged asset from the CDK assets bucket into the destination bucket.
 */
function siteDeployment(stack: SpateStack): void {
  const provider = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!provider) return;
  const reason =
    "CDK's BucketDeployment function copies the dashboard and the NLP model from the CDK assets bucket into their buckets (read the staged assets; write, replace and prune objects of the two destination buckets) and invalidates the dashboard's CloudFront paths, which has no resource-level permission.";
  const resource = (arn: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`;
  for (const a of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'])
    ack(provider, `AwsSolutions-IAM5[Action::${a}]`, reason);
  for (const bucket of [stack.query.siteBucket, stack.nlp.modelBucket])
    ack(provider, resource(`${bucket.bucketArn}/*`), reason);
  ack(
    provider,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
    reason,
  );
  ack(provider, 'AwsSolutions-IAM5[Resource::*]', reason);
  ack(provider, 'AwsSolutions-L1', "The BucketDeployment function's runtime is chosen by CDK.");
}
