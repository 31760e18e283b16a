import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOPICS, TOPICS } from '../../core/topics.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { INGEST_TOPICS } from '../../lib/ingest.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../../lib/streaming/kafka-versions.ts';
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
afterAll(() => dev?.dispose());

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
    // ingest, query, WebSocket authorizer, connect and subscribe, topic provisioner, compaction,
    // one per mapping
    expect(ours.length).toBe(7 + catalog.aggregators.length);
    for (const [id, f] of ours) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { POWERTOOLS_METRICS_NAMESPACE: 'Spate' } },
      });
      // Only the authorizer (an HMAC check) runs outside the VPC.
      if (id.startsWith('PushAuthorizer')) expect(f.Properties.VpcConfig).toBeUndefined();
      else expect(f.Properties.VpcConfig).toBeDefined();
    }
    dev.template.allResourcesProperties(
      'AWS::Logs::LogGroup',
      Match.objectLike({ RetentionInDays: Match.anyValue() }),
    );
  });

  it('keeps the functions in private subnets, with the S3 gateway endpoint and one NAT gateway', () => {
    const subnets = resourcesOf(dev.template, 'AWS::EC2::Subnet');
    const publicSubnets = subnets.filter(([, s]) =>
      json(s.Properties.Tags).includes('{"Key":"aws-cdk:subnet-type","Value":"Public"}'),
    );
    const publicIds = publicSubnets.map(([id]) => id);
    expect(publicIds.length).toBeGreaterThan(0);
    // Only the NAT gateways (on Elastic IPs) live there: nothing launched gets a public IP (CT.EC2.PR.11).
    expect(publicSubnets.map(([, s]) => s.Properties.MapPublicIpOnLaunch)).toEqual(
      publicIds.map(() => false),
    );
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

  it('opens Kafka (9098) only to the functions and NLP groups, the cache and ClickHouse only to their client groups', () => {
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
    expect(json(cache[0]![1].Properties.SourceSecurityGroupId)).toContain('HotClients');
    const warehouse = ingress.filter(([, r]) => json(r.Properties.GroupId).includes('NetworkWarehouse'));
    expect(warehouse).toHaveLength(1);
    expect(warehouse[0]![1].Properties).toMatchObject({ FromPort: 8123, ToPort: 8123 });
    expect(json(warehouse[0]![1].Properties.SourceSecurityGroupId)).toContain('WarehouseClients');
    // The client groups may talk to their store and nowhere else.
    for (const [prefix, port] of [
      ['HotClients', 6379],
      ['WarehouseClients', 8123],
    ] as const) {
      const [, group] = onlyResource(dev.template, 'AWS::EC2::SecurityGroup', prefix);
      const egress = resourcesOf(dev.template, 'AWS::EC2::SecurityGroupEgress').filter(([, r]) =>
        json(r.Properties.GroupId).includes(prefix),
      );
      // No inline rule (not even CDK's allow-all), only the one rule to the store's group.
      expect(group.Properties.SecurityGroupEgress).toBeUndefined();
      expect(egress.map(([, r]) => r.Properties.FromPort)).toEqual([port]);
    }
    // No part accepts traffic from the internet.
    for (const [, sg] of resourcesOf(dev.template, 'AWS::EC2::SecurityGroup')) {
      for (const rule of (sg.Properties.SecurityGroupIngress as { CidrIp?: string }[] | undefined) ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
  });
});

describe('dev stack: streaming', () => {
  it('is a small provisioned MSK cluster with IAM auth in the private subnets, on a supported version', () => {
    dev.template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    const [, cluster] = onlyResource(dev.template, 'AWS::MSK::Cluster');
    expect(cluster.Properties).toMatchObject({
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: { InstanceType: 'kafka.t3.small' },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      // Per-partition metrics are billed; dev keeps the default set.
      EnhancedMonitoring: 'DEFAULT',
    });
    expect(SUPPORTED_KAFKA_VERSIONS).toContain(cluster.Properties.KafkaVersion);
    const subnets = (cluster.Properties.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets;
    expect(subnets).toHaveLength(2);
  });

  it('replicates topics, offsets and the transaction log on both brokers, writable with one down', () => {
    const [configId, configuration] = onlyResource(dev.template, 'AWS::MSK::Configuration');
    const properties = String(configuration.Properties.ServerProperties);
    for (const line of [
      'default.replication.factor=2',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=2',
      'transaction.state.log.replication.factor=2',
      'transaction.state.log.min.isr=1',
    ])
      expect(properties.split('\n')).toContain(line);
    const [, cluster] = onlyResource(dev.template, 'AWS::MSK::Cluster');
    expect(json(cluster.Properties.ConfigurationInfo)).toContain(configId);
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
      if (mapping.batchingWindowMs > 500 || mapping.batchingWindowMs === 0) {
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
    // The user is in the URL; its password is read from the secret at run time.
    expect(json(realtime.Properties.Environment)).toContain('rediss://spate@');
    expect(json(realtime.Properties.Environment)).not.toContain('{{resolve:');
  });

  it('self-hosts ClickHouse on ECS with a retained gp3 data volume, a backup plan and an S3 cold disk', () => {
    // The data volume is its own resource, kept on stack deletion and re-attached by a replaced
    // host, which the group keeps in the volume's zone; the launch template makes no data disk.
    const [, volume] = onlyResource(dev.template, 'AWS::EC2::Volume', 'WarehouseData');
    expect(volume.Properties).toMatchObject({ Size: 30, VolumeType: 'gp3', Encrypted: true });
    expect(json(volume.Properties.Tags)).toContain('{"Key":"spate:backup","Value":"clickhouse-data"}');
    dev.template.hasResource('AWS::EC2::Volume', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const [, lt] = onlyResource(dev.template, 'AWS::EC2::LaunchTemplate', 'WarehouseLaunchTemplate');
    expect(lt.Properties.LaunchTemplateData).toMatchObject({ InstanceType: 't4g.medium' });
    expect(json(lt.Properties.LaunchTemplateData)).not.toContain('/dev/xvdb"');
    expect(json(lt.Properties.LaunchTemplateData)).toContain('aws ec2 attach-volume --volume-id');
    const [, asg] = onlyResource(dev.template, 'AWS::AutoScaling::AutoScalingGroup', 'WarehouseInstances');
    const subnets = asg.Properties.VPCZoneIdentifier as { Ref: string }[];
    expect(subnets).toHaveLength(1);
    const subnet = dev.template.toJSON().Resources[subnets[0]!.Ref] as {
      Properties: { AvailabilityZone: unknown };
    };
    expect(volume.Properties.AvailabilityZone).toEqual(subnet.Properties.AvailabilityZone);
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

  it('archives to a KMS-encrypted, versioned, private, TLS-only bucket moving to IA at 30 and Glacier Instant Retrieval at 90 days', () => {
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
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          },
          { Id: 'expired-delete-markers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
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

  it("sets the worker's settings of containers/nlp/config.ts and uploads the shipped model it checks by hash", () => {
    const [, task] = onlyResource(dev.template, 'AWS::ECS::TaskDefinition', 'NlpTask');
    const container = (task.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    const env = Object.fromEntries(
      (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(Object.keys(env).sort()).toEqual([
      'AWS_REGION',
      'POWERTOOLS_METRICS_NAMESPACE',
      'SPATE_KAFKA_AUTH',
      'SPATE_KAFKA_BROKERS',
      'SPATE_METRICS_EMF',
      'SPATE_NLP_DEVICE',
      'SPATE_NLP_GROUP_ID',
      'SPATE_NLP_MODEL_S3_URI',
      'SPATE_NLP_MODEL_SHA256',
      'SPATE_NLP_TRANSACTIONAL_ID_PREFIX',
    ]);
    expect(env).toMatchObject({
      SPATE_KAFKA_AUTH: 'msk-iam',
      SPATE_METRICS_EMF: 'true',
      SPATE_NLP_DEVICE: 'cuda',
      SPATE_NLP_GROUP_ID: 'spate-nlp',
      SPATE_NLP_TRANSACTIONAL_ID_PREFIX: 'spate-nlp',
      POWERTOOLS_METRICS_NAMESPACE: 'Spate',
      AWS_REGION: { Ref: 'AWS::Region' },
    });
    expect(json(env.SPATE_NLP_MODEL_S3_URI)).toContain('/models/');
    const model = readFileSync(join(catalog.nlpModel, 'model.onnx'));
    expect(env.SPATE_NLP_MODEL_SHA256).toBe(createHash('sha256').update(model).digest('hex'));
    const [, upload] = onlyResource(dev.template, 'Custom::CDKBucketDeployment', 'NlpModel');
    expect(upload.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'models/', Prune: false });
    expect(json(upload.Properties.DestinationBucketName)).toContain('NlpModels');
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
    // Step scaling reads the workers' EMF ConsumerLag, and while no task is wanted, tweets
    // arriving at the ingest API (published with no worker running; test/infra/scaling.test.ts).
    const stepAlarms = resourcesOf(dev.template, 'AWS::CloudWatch::Alarm', 'NlpServiceTaskCountTargetLag');
    expect(stepAlarms.length).toBeGreaterThan(0);
    for (const [, a] of stepAlarms) {
      const metrics = json(a.Properties.Metrics);
      expect(metrics).toContain('"MetricName":"ConsumerLag","Namespace":"Spate"');
      expect(metrics).toContain('"Name":"service","Value":"nlp"');
      expect(metrics).toContain('"Name":"Resource","Value":"/v1/tweets"');
      expect(metrics).toContain('"MetricName":"DesiredTaskCount","Namespace":"ECS/ContainerInsights"');
      expect(metrics).not.toContain('OffsetLag');
    }
    // CPU only adds tasks; the backlog alone takes the service back to zero.
    dev.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ DisableScaleIn: true }),
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
