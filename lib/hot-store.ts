import { Duration, Fn, SecretValue } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { HotStoreConfig } from './config.ts';
import { type Network, PORTS } from './network.ts';

export interface HotStoreProps {
  readonly config: HotStoreConfig;
  readonly network: Network;
  readonly logRetentionDays: number;
}

const USER_NAME = 'spate';

/**
 * The hot tier: Valkey (Redis protocol), Serverless by default or a replication group,
 * TLS in transit, a password user, private subnets only. Only members of `clients` reach it:
 * a function that does not write the hot tier cannot even open a connection to it.
 */
export class HotStore extends Construct {
  readonly host: string;
  readonly port: string;
  readonly secret: secretsmanager.Secret;
  /** Identifier of the cache (serverless cache name or replication group id) for metrics. */
  readonly cacheId: string;
  readonly serverless: boolean;
  /** The one group allowed to connect; functions that use the hot tier join it. */
  readonly clients: ec2.SecurityGroup;
  private readonly config: HotStoreConfig;

  constructor(scope: Construct, id: string, props: HotStoreProps) {
    super(scope, id);
    const { network, config } = props;
    this.config = config;
    const subnetIds = network.vpc.selectSubnets(network.privateSubnets).subnetIds;
    this.secret = new secretsmanager.Secret(this, 'Credentials', {
      description: 'Spate hot store user (username/password)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: USER_NAME }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    // ElastiCache takes the user's password in its own resource: a deploy-time reference there
    // is read by CloudFormation alone, never by a function's configuration.
    const password = SecretValue.secretsManager(this.secret.secretArn, {
      jsonField: 'password',
    }).unsafeUnwrap();
    // ElastiCache requires a user named "default" in every group; this one can do nothing.
    const defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      engine: 'valkey',
      userId: `${this.node.addr.slice(0, 20)}-off`,
      userName: 'default',
      accessString: 'off -@all',
      authenticationMode: { Type: 'password', Passwords: [password] },
    });
    const user = new elasticache.CfnUser(this, 'User', {
      engine: 'valkey',
      userId: `${this.node.addr.slice(0, 20)}-app`,
      userName: USER_NAME,
      // Every Spate key starts with the hash tag {sp} (KEY_ROOT in core/aggregation/redis-keys.ts);
      // INFO is in @dangerous but the client's ready check sends it on every connect.
      accessString: 'on ~{sp}:* &* +@all -@dangerous +info',
      authenticationMode: { Type: 'password', Passwords: [password] },
    });
    const group = new elasticache.CfnUserGroup(this, 'Users', {
      engine: 'valkey',
      userGroupId: `${this.node.addr.slice(0, 20)}-users`,
      userIds: [defaultUser.userId, user.userId],
    });
    group.addResourceDependency(defaultUser);
    group.addResourceDependency(user);

    this.clients = new ec2.SecurityGroup(this, 'Clients', {
      vpc: network.vpc,
      description: 'Spate hot store clients',
      allowAllOutbound: false,
    });
    network.cache.addIngressRule(this.clients, ec2.Port.tcp(PORTS.redis), 'Valkey over TLS');
    this.clients.addEgressRule(network.cache, ec2.Port.tcp(PORTS.redis), 'Valkey over TLS');

    if (config.mode === 'serverless') {
      this.serverless = true;
      const cache = new elasticache.CfnServerlessCache(this, 'Cache', {
        engine: 'valkey',
        majorEngineVersion: '8',
        serverlessCacheName: `spate-hot-${this.node.addr.slice(0, 8)}`,
        subnetIds,
        securityGroupIds: [network.cache.securityGroupId],
        userGroupId: group.userGroupId,
        cacheUsageLimits: {
          dataStorage: { maximum: config.maxDataGiB, unit: 'GB' },
          ecpuPerSecond: { maximum: config.maxEcpuPerSecond },
        },
        snapshotRetentionLimit: 1,
      });
      cache.addResourceDependency(group);
      this.host = cache.attrEndpointAddress;
      this.port = cache.attrEndpointPort;
      this.cacheId = cache.serverlessCacheName;
    } else {
      this.serverless = false;
      const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
        description: 'Spate hot store',
        subnetIds,
      });
      const rg = new elasticache.CfnReplicationGroup(this, 'Cache', {
        replicationGroupDescription: 'Spate hot store',
        engine: 'valkey',
        engineVersion: '8.0',
        cacheNodeType: config.nodeType,
        numNodeGroups: 1,
        replicasPerNodeGroup: config.replicas,
        automaticFailoverEnabled: config.replicas > 0,
        multiAzEnabled: config.replicas > 0,
        transitEncryptionEnabled: true,
        atRestEncryptionEnabled: true,
        userGroupIds: [group.userGroupId],
        cacheSubnetGroupName: subnets.ref,
        securityGroupIds: [network.cache.securityGroupId],
        snapshotRetentionLimit: 7,
        port: PORTS.redis,
        logDeliveryConfigurations: (['slow-log', 'engine-log'] as const).map((logType) => ({
          logType,
          logFormat: 'json',
          destinationType: 'cloudwatch-logs',
          destinationDetails: {
            cloudWatchLogsDetails: {
              logGroup: new logs.LogGroup(this, `${logType}-logs`, {
                retention: props.logRetentionDays as logs.RetentionDays,
              }).logGroupName,
            },
          },
        })),
      });
      rg.addResourceDependency(group);
      this.host = rg.attrPrimaryEndPointAddress;
      this.port = rg.attrPrimaryEndPointPort;
      this.cacheId = rg.ref;
    }
  }

  /**
   * Memory in use, in percent: of the data limit a serverless cache is capped at (writes fail
   * past it), or of the fullest node of a replication group (evictions start near it).
   */
  metricMemoryUsedPercent(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const period = props?.period ?? Duration.minutes(5);
    const metric = (metricName: string, dimensionsMap: Record<string, string>) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensionsMap,
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
        ...props,
      });
    const c = this.config;
    if (c.mode === 'serverless')
      return new cloudwatch.MathExpression({
        expression: `100 * bytes / ${c.maxDataGiB * 2 ** 30}`,
        usingMetrics: { bytes: metric('BytesUsedForCache', { clusterId: this.cacheId }) },
        label: 'Cache data used % of its limit',
        period,
      });
    // ElastiCache names the nodes of a one-shard group <group id>-001, -002, ...
    const nodes = Array.from({ length: c.replicas + 1 }, (_, i) => `n${i + 1}`);
    return new cloudwatch.MathExpression({
      expression: `MAX([${nodes.join(', ')}])`,
      usingMetrics: Object.fromEntries(
        nodes.map((id, i) => [
          id,
          metric('DatabaseMemoryUsagePercentage', {
            CacheClusterId: Fn.join('-', [this.cacheId, String(i + 1).padStart(3, '0')]),
          }),
        ]),
      ),
      label: 'Cache memory used % (fullest node)',
      period,
    });
  }

  /** The connection URL (rediss: TLS) with the user but no password. */
  get url(): string {
    return `rediss://${USER_NAME}@${this.host}:${this.port}`;
  }

  /**
   * What a function that uses the hot tier reads (io/redis/redis-config.ts): the URL and the
   * secret whose password it puts into the URL at run time. Give it `grantReadCredentials` too.
   */
  get environment(): Record<string, string> {
    return { SPATE_REDIS_URL: this.url, SPATE_REDIS_SECRET_ARN: this.secret.secretArn };
  }

  /** Lets a function read the user's password from the secret at run time. */
  grantReadCredentials(grantee: iam.IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
