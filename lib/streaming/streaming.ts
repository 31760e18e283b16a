import { CustomResource, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { TopicDefinition } from '../../core/topics.ts';
import type { StreamingConfig } from '../config.ts';
import type { Network } from '../network.ts';
import { SpateFunction } from '../spate-function.ts';
import { KafkaArns } from './kafka-arns.ts';

export interface StreamingProps {
  readonly config: StreamingConfig;
  readonly network: Network;
  /** The topics to create; the same definitions the local broker creates. */
  readonly topics: readonly TopicDefinition[];
  /** Entry of the topic provisioner custom resource handler. */
  readonly topicProvisionerEntry: string;
  readonly logRetentionDays: number;
  /** Spread of the provisioned brokers. @default 2 */
  readonly maxAzs?: number;
}

/**
 * Replication set from the broker count rather than left to MSK's defaults: the topics (created
 * with the broker default), the consumer offsets and the transaction log the NLP worker's
 * exactly-once writes need all get min(3, brokers) replicas, and writes need all but one of them
 * in sync, so a two-broker dev cluster keeps taking writes while one broker restarts.
 */
export function serverProperties(brokerCount: number): string {
  const replicas = Math.min(3, brokerCount);
  const inSync = Math.max(1, replicas - 1);
  return [
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${inSync}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${inSync}`,
    'auto.create.topics.enable=false',
  ].join('\n');
}

/**
 * MSK with IAM authentication (provisioned brokers, or MSK Serverless by config), its topics
 * created by a custom resource, and grants scoped per topic and consumer group.
 */
export class Streaming extends Construct {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** Comma-separated SASL/IAM bootstrap brokers (port 9098). */
  readonly bootstrapBrokers: string;
  readonly arns: KafkaArns;
  /** Resolves once every topic exists; consumers depend on it. */
  readonly topicsReady: CustomResource;
  /** The custom resource handler that creates the topics. */
  readonly topicProvisioner: lambda.IFunction;
  private readonly brokerCount?: number;

  constructor(scope: Construct, id: string, props: StreamingProps) {
    super(scope, id);
    const { network, config } = props;
    const subnetIds = network.vpc.selectSubnets(network.privateSubnets).subnetIds;
    this.clusterName = `spate-${config.mode}`;
    if (config.mode === 'serverless') {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [network.kafka.securityGroupId] }],
      });
      this.clusterArn = cluster.attrArn;
    } else {
      const configuration = new msk.CfnConfiguration(this, 'Configuration', {
        name: `${this.clusterName}-${this.node.addr.slice(0, 8)}`,
        description: 'Spate: replication of every topic, the consumer offsets and the transaction log',
        kafkaVersionsList: [config.kafkaVersion],
        serverProperties: serverProperties(config.brokerCount),
      });
      const cluster = new msk.CfnCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        kafkaVersion: config.kafkaVersion,
        configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
        numberOfBrokerNodes: config.brokerCount,
        brokerNodeGroupInfo: {
          instanceType: config.brokerInstanceType,
          clientSubnets: subnetIds,
          securityGroups: [network.kafka.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: config.storageGiB } },
        },
        clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
        encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
        // Per-partition metrics are billed as custom metrics; small (t3) dev brokers keep the default set.
        enhancedMonitoring: config.brokerInstanceType.startsWith('kafka.t3.')
          ? 'DEFAULT'
          : 'PER_TOPIC_PER_PARTITION',
        loggingInfo: {
          brokerLogs: {
            cloudWatchLogs: {
              enabled: true,
              logGroup: new logs.LogGroup(this, 'BrokerLogs', {
                retention: props.logRetentionDays as logs.RetentionDays,
              }).logGroupName,
            },
          },
        },
      });
      this.clusterArn = cluster.attrArn;
      this.brokerCount = config.brokerCount;
    }
    this.arns = new KafkaArns(this, this.clusterArn);

    const brokers = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(`${this.clusterName}-bootstrap`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');

    const provisioner = new SpateFunction(this, 'TopicProvisioner', {
      entry: props.topicProvisionerEntry,
      service: 'topic-provisioner',
      vpc: network.vpc,
      securityGroups: [network.functions],
      logRetentionDays: props.logRetentionDays,
      timeout: Duration.minutes(5),
    });
    provisioner.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'KafkaConnect',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [this.clusterArn],
      }),
    );
    provisioner.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'KafkaTopicAdmin',
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: [this.arns.allTopics()],
      }),
    );
    this.topicProvisioner = provisioner.function;
    const provider = new cr.Provider(this, 'TopicProvider', { onEventHandler: provisioner.function });
    this.topicsReady = new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SpateTopics',
      properties: {
        BootstrapBrokers: this.bootstrapBrokers,
        Topics: props.topics.map((t) => ({
          Name: t.name,
          Partitions: String(t.partitions),
          RetentionMs: String(t.retentionMs),
          RetentionBytes: String(t.retentionBytes),
        })),
      },
    });
  }

  /**
   * The fullest broker's data log volume, in percent (provisioned clusters; MSK Serverless
   * manages its storage and publishes no disk metric).
   * @returns undefined for MSK Serverless
   */
  metricDiskUsedPercent(props?: cloudwatch.MetricOptions): cloudwatch.IMetric | undefined {
    if (this.brokerCount === undefined) return undefined;
    // MSK numbers the brokers of a cluster 1..n.
    const brokers = Array.from({ length: this.brokerCount }, (_, i) => i + 1);
    return new cloudwatch.MathExpression({
      expression: `MAX([${brokers.map((b) => `b${b}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(
        brokers.map((b) => [
          `b${b}`,
          new cloudwatch.Metric({
            namespace: 'AWS/Kafka',
            metricName: 'KafkaDataLogsDiskUsed',
            dimensionsMap: { 'Cluster Name': this.clusterName, 'Broker ID': String(b) },
            statistic: cloudwatch.Stats.MAXIMUM,
            period: Duration.minutes(5),
            ...props,
          }),
        ]),
      ),
      label: 'MSK data disk used % (fullest broker)',
      period: props?.period ?? Duration.minutes(5),
    });
  }

  /** Produce to the named topics only (idempotent producer: the write needs the cluster's idempotency right). */
  grantProduce(grantee: iam.IGrantable, topicNames: readonly string[], transactionalIdPrefix?: string): void {
    const statements = [
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
        resources: [this.clusterArn],
      }),
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: topicNames.map((t) => this.arns.topic(t)),
      }),
    ];
    if (transactionalIdPrefix) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeTransactionalId', 'kafka-cluster:AlterTransactionalId'],
          resources: [this.arns.transactionalId(transactionalIdPrefix)],
        }),
      );
    }
    for (const s of statements) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /** Read offsets only: the ends of the named topics and the commits of the named groups. */
  grantDescribe(grantee: iam.IGrantable, topicNames: readonly string[], groupIds: readonly string[]): void {
    const statements = [
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [this.clusterArn],
      }),
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic'],
        resources: topicNames.map((t) => this.arns.topic(t)),
      }),
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup'],
        resources: [...new Set(groupIds)].map((g) => this.arns.group(g)),
      }),
    ];
    for (const s of statements) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }

  /** Read the named topics in one consumer group only. */
  grantConsume(grantee: iam.IGrantable, topicNames: readonly string[], groupId: string): void {
    const statements = [
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [this.clusterArn],
      }),
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: topicNames.map((t) => this.arns.topic(t)),
      }),
      new iam.PolicyStatement({
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [this.arns.group(groupId)],
      }),
    ];
    for (const s of statements) grantee.grantPrincipal.addToPrincipalPolicy(s);
  }
}
