import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOPICS, TOPICS } from '../../core/topics.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { INGEST_ROUTES, INGEST_TOPICS } from '../../lib/ingest.ts';
import { type Synthesized, synthesize, testCatalog } from './synth.ts';
import {
  actionsOf,
  json,
  onlyResource,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

let dev: Synthesized;
const catalog = testCatalog();

beforeAll(() => {
  dev = synthesize(DEV_CONFIG, catalog);
}, 180_000);

const fnId = (prefix: string) => onlyResource(dev.template, 'AWS::Lambda::Function', prefix);

describe('dev stack: security and compliance', () => {
  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(dev.findings).toEqual([]);
  });

  it('runs every Spate function on Node 24, ARM64, JSON logs, X-Ray and Powertools settings', () => {
    const ours = resourcesOf(dev.template, 'AWS::Lambda::Function').filter(
      ([, f]) =>
        (f.Properties.Environment as { Variables?: Record<string, string> })?.Variables
          ?.POWERTOOLS_SERVICE_NAME,
    );
    // ingest, query, push, authorizer, topic provisioner, one per mapping
    expect(ours.length).toBe(5 + catalog.aggregators.length);
    for (const [, f] of ours) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { POWERTOOLS_METRICS_NAMESPACE: 'Spate' } },
      });
      expect(f.Properties.VpcConfig).toBeDefined();
    }
    dev.template.allResourcesProperties(
      'AWS::Logs::LogGroup',
      Match.objectLike({ RetentionInDays: Match.anyValue() }),
    );
  });

  it('keeps the functions in private subnets, with the S3 gateway endpoint and one NAT gateway', () => {
    const subnets = resourcesOf(dev.template, 'AWS::EC2::Subnet');
    const publicIds = subnets.filter(([, s]) => s.Properties.MapPublicIpOnLaunch === true).map(([id]) => id);
    expect(publicIds.length).toBeGreaterThan(0);
    const [, ingest] = fnId('IngestHandlerFunction');
    const vpcSubnets = json((ingest.Properties.VpcConfig as { SubnetIds: unknown }).SubnetIds);
    for (const id of publicIds) expect(vpcSubnets).not.toContain(id);
    dev.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    // dev leaves interface endpoints out (their hourly price exceeds its NAT traffic); prod has them.
    dev.template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    dev.template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('opens Kafka (9098) only to the functions and NLP groups, and the cache (6379) only to the functions', () => {
    const ingress = resourcesOf(dev.template, 'AWS::EC2::SecurityGroupIngress');
    const kafka = ingress.filter(([, r]) => json(r.Properties.GroupId).includes('NetworkKafka'));
    expect(kafka.map(([, r]) => r.Properties.FromPort)).toEqual([9098, 9098, 9098]);
    // the functions, the NLP workers, and the event source mapping pollers (the cluster's own group)
    expect(kafka.map(([, r]) => json(r.Properties.SourceSecurityGroupId)).sort()).toEqual([
      expect.stringContaining('NetworkFunctions'),
      expect.stringContaining('NetworkKafka'),
      expect.stringContaining('NetworkNlp'),
    ]);
    const cache = ingress.filter(([, r]) => json(r.Properties.GroupId).includes('NetworkCache'));
    expect(cache).toHaveLength(1);
    expect(cache[0]![1].Properties).toMatchObject({ FromPort: 6379, ToPort: 6379, IpProtocol: 'tcp' });
    expect(json(cache[0]![1].Properties.SourceSecurityGroupId)).toContain('NetworkFunctions');
    // No part accepts traffic from the internet.
    for (const [, sg] of resourcesOf(dev.template, 'AWS::EC2::SecurityGroup')) {
      for (const rule of (sg.Properties.SecurityGroupIngress as { CidrIp?: string }[] | undefined) ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
  });
});

describe('dev stack: streaming', () => {
  it('is MSK Serverless with IAM auth in the private subnets', () => {
    dev.template.resourceCountIs('AWS::MSK::ServerlessCluster', 1);
    dev.template.resourceCountIs('AWS::MSK::Cluster', 0);
    dev.template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [
        {
          SubnetIds: Match.anyValue(),
          SecurityGroups: [Match.objectLike({ 'Fn::GetAtt': Match.anyValue() })],
        },
      ],
    });
  });

  it('creates every topic of core/topics.ts with its partitions and retention', () => {
    dev.template.hasResourceProperties('Custom::SpateTopics', {
      Topics: ALL_TOPICS.map((t) => ({
        Name: t.name,
        Partitions: String(t.partitions),
        RetentionMs: String(t.retentionMs),
        RetentionBytes: String(t.retentionBytes),
      })),
      BootstrapBrokers: Match.anyValue(),
    });
  });

  it('lets the ingest function write its three topics and nothing else', () => {
    const [, ingest] = fnId('IngestHandlerFunction');
    const statements = statementsOfRole(dev.template, roleOfFunction(ingest));
    const writes = statementsWith(statements, 'kafka-cluster:WriteData');
    expect(writes).toHaveLength(1);
    const resources = json(writes[0]!.Resource);
    for (const t of INGEST_TOPICS) expect(resources).toContain(`/${t}"`);
    for (const t of [TOPICS.tweetsEnriched.name, TOPICS.mappingFailures.name])
      expect(resources).not.toContain(`/${t}"`);
    expect(statementsWith(statements, 'kafka-cluster:ReadData')).toHaveLength(0);
    for (const s of statements)
      if (actionsOf(s).some((a) => a.startsWith('kafka-cluster:'))) expect(s.Resource).not.toBe('*');
    expect(ingest.Properties.Environment).toMatchObject({
      Variables: { SPATE_KAFKA_AUTH: 'msk-iam', SPATE_KAFKA_BROKERS: expect.anything() },
    });
  });

  it('gives each mapping its own function, event source mapping and consumer group, reading only its topic', () => {
    const mappings = resourcesOf(dev.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(catalog.aggregators.length);
    for (const { mapping } of catalog.aggregators) {
      const prefix = `Aggregators${mapping.functionName}${mapping.topic.replace(/[^A-Za-z0-9]/g, '')}`;
      const [fnLogicalId, fn] = fnId(`${prefix}Function`);
      const [, esm] = onlyResource(dev.template, 'AWS::Lambda::EventSourceMapping', prefix);
      expect(esm.Properties).toMatchObject({
        Topics: [mapping.topic],
        BatchSize: mapping.batchSize,
        StartingPosition: mapping.startingPosition,
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: mapping.groupId },
        DestinationConfig: { OnFailure: { Destination: `kafka://${mapping.onFailureTopic}` } },
        MaximumRetryAttempts: mapping.maxRetries,
        FunctionName: { Ref: fnLogicalId },
      });
      if (mapping.batchingWindowMs > 500) {
        expect(esm.Properties.MaximumBatchingWindowInSeconds).toBe(
          Math.ceil(mapping.batchingWindowMs / 1000),
        );
      }
      const statements = statementsOfRole(dev.template, roleOfFunction(fn));
      const reads = statementsWith(statements, 'kafka-cluster:ReadData');
      expect(reads).toHaveLength(1);
      expect(json(reads[0]!.Resource)).toContain(`/${mapping.topic}"`);
      const groups = statementsWith(statements, 'kafka-cluster:AlterGroup');
      expect(json(groups[0]!.Resource)).toContain(`/${mapping.groupId}"`);
      expect(json(groups[0]!.Resource)).not.toContain('/*');
    }
  });
});

describe('dev stack: ingest API', () => {
  it('routes each ingest path (POST) to the ingest function', () => {
    const routes = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', 'IngestApi').map(
      ([, r]) => r.Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(INGEST_ROUTES.map((p) => `POST ${p}`).sort());
  });

  it('throttles the stage and writes JSON access logs', () => {
    const [, stage] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Stage', 'IngestApiStage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEV_CONFIG.ingest.rateLimit,
        ThrottlingBurstLimit: DEV_CONFIG.ingest.burstLimit,
        DetailedMetricsEnabled: true,
      },
    });
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({ status: '$context.status', requestId: '$context.requestId' });
  });

  it('keeps write keys in Secrets Manager and hands the function hashes only', () => {
    const [secretId] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'IngestWriteKeys');
    const [, ingest] = fnId('IngestHandlerFunction');
    const env = json(ingest.Properties.Environment);
    expect(env).toContain('SPATE_WRITE_KEYS');
    expect(env).toContain(secretId);
  });
});

describe('dev stack: hot, warm and cold tiers', () => {
  it('runs ElastiCache Serverless (Valkey) in the private subnets behind a password user group', () => {
    dev.template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      SubnetIds: Match.anyValue(),
      SecurityGroupIds: [
        Match.objectLike({ 'Fn::GetAtt': Match.arrayWith([Match.stringLikeRegexp('NetworkCache')]) }),
      ],
      UserGroupId: Match.anyValue(),
      CacheUsageLimits: { DataStorage: { Maximum: 1, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000 } },
    });
    dev.template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'default',
      AccessString: 'off -@all',
    });
    const [, realtime] = resourcesOf(
      dev.template,
      'AWS::Lambda::Function',
      'AggregatorsrealtimeeventsrawFunction',
    )[0]!;
    expect(json(realtime.Properties.Environment)).toContain('rediss://spate:');
  });

  it('self-hosts ClickHouse on ECS with a gp3 data volume, a backup plan and an S3 cold disk', () => {
    dev.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't4g.medium',
        BlockDeviceMappings: Match.arrayWith([
          {
            DeviceName: '/dev/xvdb',
            Ebs: { VolumeSize: 30, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: false },
          },
        ]),
        TagSpecifications: [
          { ResourceType: 'volume', Tags: [{ Key: 'spate:backup', Value: 'clickhouse-data' }] },
        ],
      }),
    });
    dev.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 } })] },
    });
    dev.template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        ListOfTags: [
          { ConditionKey: 'spate:backup', ConditionValue: 'clickhouse-data', ConditionType: 'STRINGEQUALS' },
        ],
      }),
    });
    const [, task] = onlyResource(dev.template, 'AWS::ECS::TaskDefinition', 'WarehouseTask');
    const container = (task.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    expect(json(container.Environment)).toContain('SPATE_COLD_ENDPOINT');
    expect((container.Secrets as { Name: string }[]).map((s) => s.Name).sort()).toEqual([
      'CLICKHOUSE_PASSWORD',
      'CLICKHOUSE_USER',
    ]);
    expect(container.MountPoints).toEqual([
      { ContainerPath: '/var/lib/clickhouse', SourceVolume: 'data', ReadOnly: false },
    ]);
  });

  it('archives to a KMS-encrypted, versioned, private, TLS-only bucket moving to IA at 30 and Glacier at 90 days', () => {
    const [bucketId, bucket] = onlyResource(dev.template, 'AWS::S3::Bucket', 'ArchiveBucket');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: expect.anything(), LogFilePrefix: 'archive/' },
      LifecycleConfiguration: {
        Rules: [
          {
            Status: 'Enabled',
            ExpirationInDays: DEV_CONFIG.archiveExpirationDays,
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER', TransitionInDays: 90 },
            ],
          },
        ],
      },
    });
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('dev stack: NLP on GPUs', () => {
  it('reserves one GPU per task on g5 instances with the ECS GPU AMI, on Spot', () => {
    const [, task] = onlyResource(dev.template, 'AWS::ECS::TaskDefinition', 'NlpTask');
    const container = (task.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    expect(container.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
    const [, lt] = onlyResource(dev.template, 'AWS::EC2::LaunchTemplate', 'NlpLaunchTemplate');
    expect(lt.Properties.LaunchTemplateData).toMatchObject({
      InstanceType: 'g5.xlarge',
      InstanceMarketOptions: { MarketType: 'spot' },
      MetadataOptions: { HttpTokens: 'required' },
    });
    const params = dev.template.toJSON().Parameters as Record<string, { Default?: string }>;
    const imageParam = json((lt.Properties.LaunchTemplateData as { ImageId: unknown }).ImageId);
    const paramName = Object.keys(params).find((k) => imageParam.includes(k))!;
    expect(params[paramName]!.Default).toContain('/ecs/optimized-ami/amazon-linux-2023/gpu/');
  });

  it('scales 0..1 tasks on consumer lag (steps) and CPU', () => {
    dev.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 1,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    const policies = resourcesOf(dev.template, 'AWS::ApplicationAutoScaling::ScalingPolicy', 'Nlp');
    const types = policies.map(([, p]) => p.Properties.PolicyType).sort();
    expect(types).toContain('TargetTrackingScaling');
    expect(types).toContain('StepScaling');
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ConsumerLag',
      Namespace: 'Spate',
      Dimensions: [{ Name: 'service', Value: 'nlp' }],
    });
  });

  it('lets the worker read tweets.raw in its group and write enriched topics transactionally, and read models', () => {
    const [taskRoleId] = onlyResource(dev.template, 'AWS::IAM::Role', 'NlpTaskTaskRole');
    const statements = statementsOfRole(dev.template, taskRoleId);
    expect(json(statementsWith(statements, 'kafka-cluster:ReadData')[0]!.Resource)).toContain('/tweets.raw"');
    const writes = json(statementsWith(statements, 'kafka-cluster:WriteData')[0]!.Resource);
    expect(writes).toContain('/tweets.enriched"');
    expect(writes).toContain('/tweets.alerts"');
    expect(writes).not.toContain('/events.raw"');
    expect(json(statementsWith(statements, 'kafka-cluster:AlterTransactionalId')[0]!.Resource)).toContain(
      'spate-nlp*',
    );
    expect(json(statementsWith(statements, 's3:GetObject*')[0]!.Resource)).toContain('NlpModels');
  });
});

describe('dev stack: push, query and dashboard', () => {
  it('authorises $connect with a Lambda REQUEST authorizer and routes $disconnect and subscribe', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
    });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    const keys = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', 'PushApi').map(
      ([, r]) => r.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual(['$connect', '$disconnect', 'subscribe', 'unsubscribe']);
  });

  it('scopes execute-api:ManageConnections to the one WebSocket API and stage', () => {
    const [apiId] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Api', 'PushApi');
    const manage = resourcesOf(dev.template, 'AWS::IAM::Policy')
      .flatMap(
        ([, p]) =>
          (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((s) => s.Action === 'execute-api:ManageConnections');
    expect(manage.length).toBeGreaterThanOrEqual(2);
    for (const s of manage) {
      expect(json(s.Resource)).toContain(apiId);
      expect(json(s.Resource)).toContain('/live/*/@connections/*');
    }
  });

  it('serves the dashboard from a private bucket through CloudFront with OAC and security headers', () => {
    dev.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [Match.objectLike({ PathPattern: 'v1/*', ViewerProtocolPolicy: 'https-only' })],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    dev.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: true,
          }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
        }),
      }),
    });
    const routes = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', 'QueryApi').map(
      ([, r]) => r.Properties.RouteKey,
    );
    expect(routes).toEqual(['GET /v1/query/{proxy+}']);
  });
});

describe('dev stack: observability', () => {
  const alarmsWith = (props: Record<string, unknown>) =>
    resourcesOf(dev.template, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      Object.entries(props).every(([k, v]) => json(a.Properties[k]) === json(v)),
    );

  it('alarms on ingest stopping and surging', () => {
    expect(
      alarmsWith({
        MetricName: 'Count',
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    ).toHaveLength(1);
    expect(
      alarmsWith({
        MetricName: 'Count',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: DEV_CONFIG.ingest.rateLimit * 60 * 0.8,
      }),
    ).toHaveLength(1);
  });

  it('alarms on 4xx and 5xx ratios with metric math', () => {
    const ratios = resourcesOf(dev.template, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      json(a.Properties.Metrics).includes('100 * errors / MAX([requests, 1])'),
    );
    expect(ratios.map(([, a]) => a.Properties.Threshold).sort()).toEqual([1, 10]);
  });

  it('alarms on OffsetLag of every aggregator and on errors and throttles of every function', () => {
    expect(alarmsWith({ MetricName: 'OffsetLag', Namespace: 'AWS/Lambda' })).toHaveLength(
      catalog.aggregators.length,
    );
    const functions = 3 + catalog.aggregators.length;
    expect(alarmsWith({ MetricName: 'Errors', Namespace: 'AWS/Lambda' })).toHaveLength(functions);
    expect(alarmsWith({ MetricName: 'Throttles', Namespace: 'AWS/Lambda' })).toHaveLength(functions);
  });

  it('alarms on DLQ growth, push errors, NLP lag and ClickHouse insert errors, all to one encrypted SNS topic', () => {
    expect(alarmsWith({ MetricName: 'DlqRecords', Namespace: 'Spate' })).toHaveLength(1);
    expect(alarmsWith({ MetricName: 'InsertErrors', Namespace: 'Spate' })).toHaveLength(1);
    expect(alarmsWith({ MetricName: 'ConsumerLag', EvaluationPeriods: 15 })).toHaveLength(1);
    const push = resourcesOf(dev.template, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      json(a.Properties.Metrics).includes('ExecutionError'),
    );
    expect(push).toHaveLength(1);
    const [topicId, topic] = onlyResource(dev.template, 'AWS::SNS::Topic', 'ObservabilityAlarms');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const [, a] of resourcesOf(dev.template, 'AWS::CloudWatch::Alarm', 'Observability')) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
    dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
