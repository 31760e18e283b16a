import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROD_CONFIG } from '../../lib/config.ts';
import { SUPPORTED_KAFKA_VERSIONS } from '../../lib/streaming/kafka-versions.ts';
import { type Synthesized, synthesize } from './synth.ts';
import { functionsResolvingSecrets, json, onlyResource, resourcesOf } from './template-queries.ts';

let prod: Synthesized;

beforeAll(() => {
  prod = synthesize(PROD_CONFIG);
}, 180_000);
afterAll(() => prod?.dispose());

describe('prod stack', () => {
  it('has no unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(prod.findings).toEqual([]);
  });

  it("resolves no secret into any function's environment", () => {
    expect(functionsResolvingSecrets(prod.template)).toEqual([]);
  });

  it('spans three AZs with a NAT gateway in each', () => {
    prod.template.resourceCountIs('AWS::EC2::NatGateway', 3);
    const privateSubnets = resourcesOf(prod.template, 'AWS::EC2::Subnet').filter(([, s]) =>
      json(s.Properties.Tags).includes('{"Key":"aws-cdk:subnet-type","Value":"Private"}'),
    );
    expect(privateSubnets).toHaveLength(3);
  });

  it('reaches AWS APIs through interface endpoints open only to Spate groups', () => {
    const interfaces = resourcesOf(prod.template, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties.VpcEndpointType === 'Interface',
    );
    const services = interfaces.map(([, e]) => json(e.Properties.ServiceName)).join(' ');
    for (const svc of ['secretsmanager', 'logs', 'monitoring', 'kafka', 'ecr.dkr', 'sts', 'ecs-agent']) {
      expect(services).toContain(svc);
    }
    for (const [, e] of interfaces) {
      expect(e.Properties.PrivateDnsEnabled).toBe(true);
      expect(json(e.Properties.SecurityGroupIds)).toContain('NetworkEndpoints');
    }
    const ingress = resourcesOf(prod.template, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
      json(r.Properties.GroupId).includes('NetworkEndpoints'),
    );
    expect(ingress.map(([, r]) => r.Properties.FromPort)).toEqual([443, 443, 443]);
  });

  it('runs provisioned MSK: broker type, count, storage, TLS in transit and IAM only', () => {
    prod.template.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    const [, cluster] = onlyResource(prod.template, 'AWS::MSK::Cluster');
    const streaming = PROD_CONFIG.streaming;
    if (streaming.mode !== 'provisioned') throw new Error('prod streams on provisioned MSK');
    expect(cluster.Properties).toMatchObject({
      NumberOfBrokerNodes: streaming.brokerCount,
      KafkaVersion: streaming.kafkaVersion,
      BrokerNodeGroupInfo: {
        InstanceType: streaming.brokerInstanceType,
        StorageInfo: { EBSStorageInfo: { VolumeSize: streaming.storageGiB } },
      },
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      EnhancedMonitoring: 'PER_TOPIC_PER_PARTITION',
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true } } },
    });
    expect(
      ((cluster.Properties.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets ?? []).length,
    ).toBe(3);
    // MSK refuses new clusters on a version past its end of support.
    expect(SUPPORTED_KAFKA_VERSIONS).toContain(cluster.Properties.KafkaVersion);
  });

  it('runs a multi-AZ Valkey replication group with TLS, encryption at rest and RBAC', () => {
    prod.template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
    prod.template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      CacheNodeType: 'cache.r7g.large',
      ReplicasPerNodeGroup: 2,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      UserGroupIds: [Match.anyValue()],
      LogDeliveryConfigurations: Match.arrayWith([Match.objectLike({ LogType: 'slow-log' })]),
    });
  });

  it('keeps GPU workers on demand and scales them 1..8, with one host more for rollouts', () => {
    const [, lt] = onlyResource(prod.template, 'AWS::EC2::LaunchTemplate', 'NlpLaunchTemplate');
    expect(lt.Properties.LaunchTemplateData).toMatchObject({ InstanceType: 'g6.xlarge' });
    expect(
      (lt.Properties.LaunchTemplateData as Record<string, unknown>).InstanceMarketOptions,
    ).toBeUndefined();
    prod.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 8,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    prod.template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '9',
      LaunchTemplate: Match.objectLike({
        LaunchTemplateId: { Ref: Match.stringLikeRegexp('^NlpLaunchTemplate') },
      }),
    });
    prod.template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ Status: 'ENABLED' }) }),
    });
  });

  it('alarms on a silent ingest API, the fullest MSK broker disk and the fullest cache node', () => {
    const alarm = (name: string) =>
      resourcesOf(prod.template, 'AWS::CloudWatch::Alarm', `Observability${name}`);
    const [stopped] = alarm('IngestStopped');
    // Silence is filled in as zero requests, so it is a breach, not missing data.
    expect(json(stopped![1].Properties.Metrics)).toContain('FILL(requests, 0)');
    expect(stopped![1].Properties.TreatMissingData).toBe('notBreaching');
    const [disk] = alarm('KafkaDiskUse');
    expect(json(disk![1].Properties.Metrics)).toContain('MAX([b1, b2, b3])');
    expect(json(disk![1].Properties.Metrics)).toContain('"MetricName":"KafkaDataLogsDiskUsed"');
    const [cache] = alarm('CacheMemory');
    // One primary and two replicas: <group id>-001..003.
    expect(json(cache![1].Properties.Metrics)).toContain('MAX([n1, n2, n3])');
    expect(json(cache![1].Properties.Metrics)).toContain('"Fn::Join":["-",[{"Ref":"HotCache');
    expect(json(cache![1].Properties.Metrics)).toContain('"003"]');
  });

  it('sizes ClickHouse and its backups for production and keeps logs 90 days', () => {
    prod.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ InstanceType: 'r7g.xlarge' }),
    });
    prod.template.hasResourceProperties('AWS::EC2::Volume', { Size: 500, VolumeType: 'gp3' });
    prod.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    const [, ingestLogs] = onlyResource(prod.template, 'AWS::Logs::LogGroup', 'IngestHandlerLogs');
    expect(ingestLogs.Properties.RetentionInDays).toBe(90);
    prod.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'tiering', ExpirationInDays: 2555 })]),
      },
    });
  });
});
