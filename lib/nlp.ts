import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, IgnoreMode, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { METRIC_SERVICES, SPATE_METRICS } from '../core/metrics/metric-names.ts';
import { TOPICS } from '../core/topics.ts';
import type { ImageEntry } from './catalog.ts';
import type { NlpConfig } from './config.ts';
import { gpuHostCeiling } from './config-validation.ts';
import { platformOf, taskMemoryLimitMiB } from './instance-types.ts';
import type { Network } from './network.ts';
import { POWERTOOLS_NAMESPACE } from './spate-function.ts';
import { spateMetric } from './spate-metric.ts';
import type { Streaming } from './streaming/streaming.ts';

export interface NlpProps {
  readonly config: NlpConfig;
  readonly network: Network;
  readonly streaming: Streaming;
  /** The worker's image (containers/nlp/Dockerfile, built from the repository root). */
  readonly image: ImageEntry;
  /** The shipped model directory, uploaded under models/ of the model bucket. */
  readonly modelDirectory: string;
  readonly accessLogs: s3.IBucket;
  readonly logRetentionDays: number;
  /**
   * Tweets arriving (e.g. requests to POST /v1/tweets), a metric published whether or not a
   * worker runs: with minTasks 0 it is what starts the first task. The consumer group's lag
   * cannot: MSK publishes it only for a group that has committed, and the workers report
   * their own only while they run.
   * @default none: the service never scales out from zero tasks
   */
  readonly arrivals?: cloudwatch.IMetric;
}

export const NLP_GROUP_ID = 'spate-nlp';
/** Where the model lives in its bucket; the worker copies everything under it at task start. */
export const NLP_MODEL_PREFIX = 'models';
export const NLP_TRANSACTIONAL_ID_PREFIX = 'spate-nlp';

/**
 * The tweet enrichment worker on GPUs: an ECS cluster whose Auto Scaling group of g5/g6
 * instances (ECS GPU-optimised AMI, Spot optional) is its capacity provider; each task
 * reserves one GPU, and the service scales on consumer lag and CPU.
 */
export class Nlp extends Construct {
  readonly service: ecs.Ec2Service;
  readonly modelBucket: s3.Bucket;
  /** ConsumerLag as the workers report it (EMF). */
  readonly lag: cloudwatch.Metric;
  /** What the service scales on: the workers' lag, and while no task is wanted, tweets arriving. */
  readonly backlog: cloudwatch.MathExpression;
  readonly cluster: ecs.Cluster;

  constructor(scope: Construct, id: string, props: NlpProps) {
    super(scope, id);
    const { config, network } = props;
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.cluster = cluster;
    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(config.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      securityGroup: network.nlp,
      role,
      requireImdsv2: true,
      userData: ec2.UserData.forLinux(),
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(100, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
          }),
        },
      ],
      ...(config.spot
        ? { spotOptions: { interruptionBehavior: ec2.SpotInstanceInterruption.TERMINATE } }
        : {}),
    });
    const asg = new autoscaling.AutoScalingGroup(this, 'GpuInstances', {
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      launchTemplate,
      minCapacity: 0,
      // One host more than tasks: a rollout at full scale starts a new task before it stops an old one.
      maxCapacity: gpuHostCeiling(config),
    });
    const capacity = new ecs.AsgCapacityProvider(this, 'Capacity', {
      autoScalingGroup: asg,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      targetCapacityPercent: 100,
    });
    cluster.addAsgCapacityProvider(capacity);

    this.modelBucket = new s3.Bucket(this, 'Models', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'models/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const modelUpload = new s3deploy.BucketDeployment(this, 'Model', {
      sources: [s3deploy.Source.asset(props.modelDirectory)],
      destinationBucket: this.modelBucket,
      destinationKeyPrefix: `${NLP_MODEL_PREFIX}/`,
      // Older model files stay for rollbacks; the worker checks model.onnx by its hash.
      prune: false,
    });

    const task = new ecs.Ec2TaskDefinition(this, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    task.addContainer('worker', {
      image: ecs.ContainerImage.fromAsset(props.image.directory, {
        file: props.image.file,
        // Built for the hosts it runs on (x86 GPU instances), whatever machine runs the deploy.
        platform: platformOf(config.instanceType),
        ...(props.image.include ? dockerContext(props.image.include) : {}),
      }),
      gpuCount: 1,
      memoryReservationMiB: 8192,
      memoryLimitMiB: taskMemoryLimitMiB(config.instanceType),
      // Exactly what containers/nlp/config.ts reads; ECS adds ECS_CONTAINER_METADATA_URI_V4,
      // from which each task takes its own transactional id (prefix + task id).
      environment: {
        SPATE_KAFKA_BROKERS: props.streaming.bootstrapBrokers,
        SPATE_KAFKA_AUTH: 'msk-iam',
        // MSK IAM tokens are signed for a region, and EC2-launched tasks are not told theirs.
        AWS_REGION: Stack.of(this).region,
        SPATE_NLP_GROUP_ID: NLP_GROUP_ID,
        SPATE_NLP_TRANSACTIONAL_ID_PREFIX: NLP_TRANSACTIONAL_ID_PREFIX,
        SPATE_NLP_MODEL_S3_URI: `s3://${this.modelBucket.bucketName}/${NLP_MODEL_PREFIX}/`,
        SPATE_NLP_MODEL_SHA256: sha256Of(join(props.modelDirectory, 'model.onnx')),
        SPATE_NLP_DEVICE: 'cuda',
        SPATE_METRICS_EMF: 'true',
        POWERTOOLS_METRICS_NAMESPACE: POWERTOOLS_NAMESPACE,
      },
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'nlp',
        logGroup: new logs.LogGroup(this, 'Logs', {
          retention: props.logRetentionDays as logs.RetentionDays,
        }),
      }),
      // The worker finishes its in-flight batch and commits before it leaves the group.
      stopTimeout: Duration.seconds(60),
    });
    this.modelBucket.grantRead(task.taskRole);
    props.streaming.grantConsume(task.taskRole, [TOPICS.tweetsRaw.name], NLP_GROUP_ID);
    props.streaming.grantProduce(
      task.taskRole,
      [TOPICS.tweetsEnriched.name, TOPICS.tweetsAlerts.name],
      NLP_TRANSACTIONAL_ID_PREFIX,
    );

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: config.minTasks,
      // A new task starts before an old one stops: no enrichment gap during a deployment.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      securityGroups: [network.nlp],
      vpcSubnets: network.privateSubnets,
      capacityProviderStrategies: [{ capacityProvider: capacity.capacityProviderName, weight: 1 }],
      circuitBreaker: { rollback: true },
    });
    this.service.node.addDependency(props.streaming.topicsReady, modelUpload);

    this.lag = this.metricConsumerLag();
    const worker = 'FILL(worker, 0)';
    const usingMetrics: Record<string, cloudwatch.IMetric> = { worker: this.lag };
    let expression = worker;
    if (config.minTasks === 0 && props.arrivals) {
      // With no task wanted nobody reports ConsumerLag: tweets arriving stand for one task's worth
      // of lag (one step out). While tweets arrive, the last task is held (a value inside the
      // no-change band), so the service does not flap between zero and one.
      usingMetrics.arrivals = props.arrivals;
      usingMetrics.desired = this.metricDesiredTasks();
      const arriving = 'FILL(arrivals, 0) > 0';
      const hold = Math.round(config.lagPerTask / 2);
      expression =
        `IF(FILL(desired, 0) < 1 AND ${arriving}, ${config.lagPerTask}, ` +
        `IF(FILL(desired, 0) < 2 AND ${arriving}, MAX([${worker}, ${hold}]), ${worker}))`;
    }
    this.backlog = new cloudwatch.MathExpression({
      expression,
      usingMetrics,
      label: 'tweets.raw backlog of the NLP workers',
      period: Duration.minutes(1),
    });
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.minTasks,
      maxCapacity: config.maxTasks,
    });
    // Lag grows with the backlog whatever the task count, so step scaling (not target tracking) follows it.
    scaling.scaleOnMetric('Lag', {
      metric: this.backlog,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(3),
      scalingSteps: [
        { upper: config.lagPerTask / 10, change: -1 },
        { lower: config.lagPerTask, change: +1 },
        { lower: config.lagPerTask * 4, change: +2 },
      ],
    });
    // CPU only adds tasks: scaling in (to zero above all) is the backlog's decision alone.
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70, disableScaleIn: true });
  }

  /**
   * The workers' consumer lag on tweets.raw (records), the maximum over 1 minute. The worker reports
   * it as an EMF metric in its log stream (CloudWatch extracts it); none while no worker runs.
   */
  metricConsumerLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spateMetric(
      SPATE_METRICS.consumerLag,
      { service: METRIC_SERVICES.nlp },
      { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props },
    );
  }

  /** Tasks the service wants (Container Insights), 0 while scaled to zero. */
  metricDesiredTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('DesiredTaskCount', props);
  }

  /** Tasks running (Container Insights): below desired for long means GPU hosts do not come (quota, Spot). */
  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.containerInsightsMetric('RunningTaskCount', props);
  }

  private containerInsightsMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A build context of only the named paths: the repository root is large and mostly irrelevant. */
function dockerContext(include: readonly string[]): { exclude: string[]; ignoreMode: IgnoreMode } {
  return { exclude: ['*', ...include.map((p) => `!${p}`)], ignoreMode: IgnoreMode.DOCKER };
}
