import { CfnOutput, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import type { ImageEntry } from '../catalog.ts';
import type { WarehouseConfig } from '../config.ts';
import { platformOf, taskMemoryLimitMiB } from '../instance-types.ts';
import { type Network, PORTS } from '../network.ts';
import { POWERTOOLS_NAMESPACE } from '../spate-function.ts';

export interface WarehouseProps {
  readonly config: WarehouseConfig;
  readonly network: Network;
  /** Directory of the ClickHouse image (Dockerfile and config from containers/clickhouse). */
  readonly image: ImageEntry;
  readonly accessLogs: s3.IBucket;
  readonly logRetentionDays: number;
}

/** Tag on the data volume; the backup plan selects by it. */
export const DATA_VOLUME_TAG = { key: 'spate:backup', value: 'clickhouse-data' } as const;
const DATA_DEVICE = '/dev/xvdb';
const DATA_MOUNT = '/data/clickhouse';
const DATABASE = 'spate';
/** The CloudWatch agent on the host publishes the data volume's use (ClickHouse stops writing when it is full). */
const DISK_METRIC = {
  namespace: POWERTOOLS_NAMESPACE,
  metricName: SPATE_METRICS.diskUsedPercent.name,
  dimensionsMap: { path: DATA_MOUNT, fstype: 'xfs' },
} as const;
const AGENT_CONFIG = {
  agent: { omit_hostname: true, metrics_collection_interval: 60 },
  metrics: {
    namespace: DISK_METRIC.namespace,
    metrics_collected: {
      disk: { resources: [DATA_MOUNT], measurement: ['used_percent'], drop_device: true },
    },
  },
};

/**
 * The warm tier. Self-hosted: ClickHouse as an ECS service on one Graviton instance whose
 * data lives on a gp3 volume (backed up daily by AWS Backup), with cold parts moved to an S3
 * disk by the storage policy. External: a ClickHouse Cloud URL and its credentials secret.
 */
export class Warehouse extends Construct {
  readonly url: string;
  readonly credentials: secretsmanager.ISecret;
  /**
   * The credentials secret as GetSecretValue takes it: the ARN of the secret this stack makes,
   * the name of an imported one, whose full ARN ends in a random suffix the name does not tell.
   */
  readonly secretId: string;
  readonly coldBucket?: s3.Bucket;
  readonly service?: ecs.Ec2Service;
  /** ClickHouse's data (self-hosted only): retained on `cdk destroy`, backed up daily. */
  readonly dataVolume?: ec2.Volume;
  /** The one group allowed to reach ClickHouse; functions that read or write the warm tier join it. */
  readonly clients: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    const { config, network } = props;
    this.clients = new ec2.SecurityGroup(this, 'Clients', {
      vpc: network.vpc,
      description: 'Spate ClickHouse clients',
      allowAllOutbound: false,
    });
    if (config.mode === 'external') {
      // ClickHouse Cloud answers HTTPS on a public address, on 8443 unless the URL says otherwise.
      const port = Number(new URL(config.url).port || PORTS.clickhouseHttps);
      this.clients.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'ClickHouse Cloud over HTTPS');
      this.url = config.url;
      this.credentials = secretsmanager.Secret.fromSecretNameV2(
        this,
        'Credentials',
        config.credentialsSecretName,
      );
      this.secretId = config.credentialsSecretName;
      return;
    }
    const credentials = new secretsmanager.Secret(this, 'Credentials', {
      description: 'Spate ClickHouse user (username/password)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'spate' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    this.credentials = credentials;
    this.secretId = credentials.secretArn;
    const coldBucket = new s3.Bucket(this, 'ColdParts', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'clickhouse-cold/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.coldBucket = coldBucket;

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    // The data volume is its own resource, kept when the stack is deleted: a replaced instance
    // attaches the same volume (so it finds its data), which pins the host to the volume's zone.
    const zoneSubnet = network.vpc.selectSubnets(network.privateSubnets).subnets[0]!;
    this.dataVolume = new ec2.Volume(this, 'Data', {
      availabilityZone: zoneSubnet.availabilityZone,
      size: Size.gibibytes(config.dataVolumeGiB),
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      encrypted: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.dataVolume).add(DATA_VOLUME_TAG.key, DATA_VOLUME_TAG.value);
    const userData = ec2.UserData.forLinux();
    // Attach the data volume (the old host may still hold it while it terminates), format it
    // once, and mount it before the ECS agent starts the task.
    userData.addCommands(
      'command -v aws >/dev/null || dnf install -y awscli-2',
      'TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
      'INSTANCE=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
      `export AWS_DEFAULT_REGION=${Stack.of(this).region}`,
      `until aws ec2 attach-volume --volume-id ${this.dataVolume.volumeId} --instance-id "$INSTANCE" --device ${DATA_DEVICE}; do sleep 10; done`,
      `while [ ! -e ${DATA_DEVICE} ] && [ ! -e /dev/nvme1n1 ]; do sleep 1; done`,
      `DEV=$([ -e /dev/nvme1n1 ] && echo /dev/nvme1n1 || echo ${DATA_DEVICE})`,
      'blkid "$DEV" || mkfs -t xfs "$DEV"',
      `mkdir -p ${DATA_MOUNT} && mount "$DEV" ${DATA_MOUNT} && chown 101:101 ${DATA_MOUNT}`,
      `echo "$DEV ${DATA_MOUNT} xfs defaults,nofail 0 2" >> /etc/fstab`,
      'dnf install -y amazon-cloudwatch-agent',
      `echo '${JSON.stringify(AGENT_CONFIG)}' > /opt/aws/amazon-cloudwatch-agent/etc/spate.json`,
      '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/spate.json',
    );
    const instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    });
    instanceRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': DISK_METRIC.namespace } },
      }),
    );
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(config.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.ARM),
      securityGroup: network.warehouse,
      role: instanceRole,
      requireImdsv2: true,
      userData,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    const asg = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: network.vpc,
      vpcSubnets: { subnets: [zoneSubnet] },
      launchTemplate,
      minCapacity: 1,
      maxCapacity: 1,
    });
    // Only instances of this group may attach the volume (matched by a tag both carry).
    this.dataVolume.grantAttachVolumeByResourceTag(instanceRole, [asg]);
    cluster.addAsgCapacityProvider(
      new ecs.AsgCapacityProvider(this, 'Capacity', {
        autoScalingGroup: asg,
        // Protection would keep the instance from terminating while the task runs: `cdk destroy`
        // would wait on it. ECS drains the one task before the instance goes anyway.
        enableManagedTerminationProtection: false,
      }),
    );

    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: 'spate.internal',
      vpc: network.vpc,
    });
    const task = new ecs.Ec2TaskDefinition(this, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    task.addVolume({ name: 'data', host: { sourcePath: DATA_MOUNT } });
    const container = task.addContainer('clickhouse', {
      image: ecs.ContainerImage.fromAsset(props.image.directory, {
        file: props.image.file,
        // Built for Graviton whatever machine runs the deploy.
        platform: platformOf(config.instanceType),
      }),
      memoryReservationMiB: 1536,
      memoryLimitMiB: taskMemoryLimitMiB(config.instanceType),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'clickhouse',
        logGroup: new logs.LogGroup(this, 'Logs', {
          retention: props.logRetentionDays as logs.RetentionDays,
        }),
      }),
      environment: {
        CLICKHOUSE_DB: DATABASE,
        SPATE_COLD_ENDPOINT: `https://${coldBucket.bucketRegionalDomainName}/parts/`,
      },
      secrets: {
        CLICKHOUSE_USER: ecs.Secret.fromSecretsManager(credentials, 'username'),
        CLICKHOUSE_PASSWORD: ecs.Secret.fromSecretsManager(credentials, 'password'),
      },
      portMappings: [{ containerPort: PORTS.clickhouseHttp }],
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 262_144, hardLimit: 262_144 }],
      healthCheck: {
        command: ['CMD-SHELL', `wget -qO- http://127.0.0.1:${PORTS.clickhouseHttp}/ping || exit 1`],
        interval: Duration.seconds(30),
        startPeriod: Duration.minutes(2),
      },
    });
    container.addMountPoints({ containerPath: '/var/lib/clickhouse', sourceVolume: 'data', readOnly: false });
    coldBucket.grantReadWrite(task.taskRole);

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 1,
      // One writer on one volume: never two tasks at once during a deployment.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      securityGroups: [network.warehouse],
      vpcSubnets: network.privateSubnets,
      cloudMapOptions: { name: 'clickhouse', cloudMapNamespace: namespace, dnsTtl: Duration.seconds(30) },
      circuitBreaker: { rollback: true },
    });
    network.warehouse.addIngressRule(this.clients, ec2.Port.tcp(PORTS.clickhouseHttp), 'ClickHouse HTTP');
    this.clients.addEgressRule(network.warehouse, ec2.Port.tcp(PORTS.clickhouseHttp), 'ClickHouse HTTP');
    this.url = `http://clickhouse.spate.internal:${PORTS.clickhouseHttp}`;

    const vault = new backup.BackupVault(this, 'Vault', { removalPolicy: RemovalPolicy.RETAIN });
    const plan = new backup.BackupPlan(this, 'Backups', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: Duration.days(config.backupRetentionDays),
        }),
      ],
    });
    plan.addSelection('DataVolume', {
      resources: [backup.BackupResource.fromTag(DATA_VOLUME_TAG.key, DATA_VOLUME_TAG.value)],
    });
    new CfnOutput(this, 'ClickHouseUrl', { value: this.url, description: 'ClickHouse HTTP inside the VPC' });
  }

  /**
   * What a function that writes or reads the warm tier reads (io/clickhouse/clickhouse-config.ts):
   * where ClickHouse is, and the secret it reads the credentials from at run time. Give it
   * `grantReadCredentials` too.
   */
  get environment(): Record<string, string> {
    return {
      SPATE_CLICKHOUSE_URL: this.url,
      SPATE_CLICKHOUSE_DATABASE: DATABASE,
      SPATE_CLICKHOUSE_SECRET_ARN: this.secretId,
    };
  }

  /**
   * The data volume's use in percent, from the host's CloudWatch agent.
   * @returns undefined for an external ClickHouse
   */
  metricDataDiskUsedPercent(props?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    if (!this.service) return undefined;
    return new cloudwatch.Metric({
      ...DISK_METRIC,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /**
   * ClickHouse tasks running (Container Insights): 0 means the warm tier and history are down.
   * @returns undefined for an external ClickHouse
   */
  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    if (!this.service) return undefined;
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.service.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Lets a function read the ClickHouse credentials from their secret at run time. */
  grantReadCredentials(grantee: iam.IGrantable): void {
    this.credentials.grantRead(grantee);
  }
}
