import { Annotations, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { Sink } from '../core/mappings.ts';
import { ALL_TOPICS } from '../core/topics.ts';
import { Aggregators, type SinkBinding } from './aggregators.ts';
import { ApiGatewayAccount } from './api-gateway-account.ts';
import { ARCHIVE_EVENTS_PREFIX, Archive, accessLogBucket } from './archive.ts';
import type { SpateCatalog } from './catalog.ts';
import { Compaction } from './compaction.ts';
import type { SpateConfig } from './config.ts';
import { HotStore } from './hot-store.ts';
import { metricRouteRequests } from './http-api-metrics.ts';
import { Ingest } from './ingest.ts';
import { Network } from './network.ts';
import { Nlp } from './nlp.ts';
import { Observability } from './observability.ts';
import { Push } from './push.ts';
import { Query } from './query.ts';
import { Streaming } from './streaming/streaming.ts';
import { Warehouse } from './warehouse/warehouse.ts';

/** The route the tweet firehose posts to (lambdas/ingest/routes.ts). */
export const TWEETS_ROUTE_KEY = 'POST /v1/tweets';

export interface SpateStackProps extends StackProps {
  readonly config: SpateConfig;
  readonly catalog: SpateCatalog;
}

/** The whole system of DESIGN.md section 1, composed from one configuration and one catalog. */
export class SpateStack extends Stack {
  /**
   * The zones of the config when it names them. Otherwise an environment-agnostic stack sees
   * only two AZs, and prod spreads brokers and replicas over three, so the zones are the
   * region's first ones, picked at deploy time: they may lack MSK, GPU or Graviton capacity.
   */
  override get availabilityZones(): string[] {
    if (this.zones) return [...this.zones];
    return Array.from({ length: this.azCount ?? 2 }, (_, i) => Fn.select(i, Fn.getAzs()));
  }

  readonly network: Network;
  readonly streaming: Streaming;
  readonly ingest: Ingest;
  readonly hot: HotStore;
  readonly warehouse: Warehouse;
  readonly archive: Archive;
  readonly push: Push;
  readonly apiGatewayAccount: ApiGatewayAccount;
  readonly aggregators: Aggregators;
  readonly query: Query;
  /** Daily compaction of the events archive; only with a self-hosted ClickHouse (see below). */
  readonly compaction?: Compaction;
  readonly nlp: Nlp;
  readonly observability: Observability;

  private readonly azCount: number;
  private readonly zones?: readonly string[];

  constructor(scope: Construct, id: string, props: SpateStackProps) {
    super(scope, id, props);
    const { config, catalog } = props;
    if (!catalog.ingest.routeKeys.includes(TWEETS_ROUTE_KEY))
      throw new Error(
        `the ingest function no longer serves ${TWEETS_ROUTE_KEY}, which the NLP service wakes on`,
      );
    this.azCount = config.maxAzs;
    this.zones = config.availabilityZones;
    if (!this.zones)
      Annotations.of(this).addWarningV2(
        'spate:availability-zones',
        `availabilityZones is not set: the stack takes the region's first ${config.maxAzs} zones at deploy time, whatever they offer. Name zones that offer MSK, ${config.nlp.instanceType} and the Graviton types (\`npx spate preflight\` checks them; docs/deploy.md).`,
      );
    const retention = config.logRetentionDays;
    this.network = new Network(this, 'Network', {
      maxAzs: config.maxAzs,
      natGateways: config.natGateways,
      interfaceEndpoints: config.interfaceEndpoints,
      logRetentionDays: retention,
    });
    const net = this.network;
    const logsBucket = accessLogBucket(this, 'AccessLogs', Math.max(retention, 30));

    this.streaming = new Streaming(this, 'Streaming', {
      config: config.streaming,
      network: net,
      topics: ALL_TOPICS,
      topicProvisionerEntry: catalog.topicProvisioner,
      logRetentionDays: retention,
      maxAzs: config.maxAzs,
    });
    this.hot = new HotStore(this, 'Hot', {
      config: config.hot,
      network: net,
      logRetentionDays: retention,
    });
    this.warehouse = new Warehouse(this, 'Warehouse', {
      config: config.warehouse,
      network: net,
      image: catalog.clickhouseImage,
      accessLogs: logsBucket,
      logRetentionDays: retention,
    });
    this.archive = new Archive(this, 'Archive', {
      expirationDays: config.archiveExpirationDays,
      accessLogs: logsBucket,
    });
    const funnelEnv: Record<string, string> = config.funnels
      ? { SPATE_FUNNELS: JSON.stringify(config.funnels) }
      : {};
    const kafkaEnv = { SPATE_KAFKA_BROKERS: this.streaming.bootstrapBrokers, SPATE_KAFKA_AUTH: 'msk-iam' };
    this.apiGatewayAccount = new ApiGatewayAccount(this, 'ApiGatewayAccount', {
      mode: config.apiGatewayCloudWatchRole,
    });
    this.push = new Push(this, 'Push', {
      ...(this.apiGatewayAccount.ready ? { accountLogging: this.apiGatewayAccount.ready } : {}),
      authorizerEntry: catalog.wsAuthorizer,
      connectEntry: catalog.wsConnect,
      subscribeEntry: catalog.wsSubscribe,
      vpc: net.vpc,
      securityGroups: [net.functions, this.hot.clients],
      logRetentionDays: retention,
      environment: this.hot.environment,
      environmentSecrets: [this.hot.secret],
    });

    this.ingest = new Ingest(this, 'Ingest', {
      config: config.ingest,
      handler: catalog.ingest,
      streaming: this.streaming,
      vpc: net.vpc,
      // The hot store's clients group: the per-key limits are shared there by every container.
      securityGroups: [net.functions, this.hot.clients],
      hotStoreEnvironment: this.hot.environment,
      ...(config.ingest.corsOrigins ? { corsOrigins: config.ingest.corsOrigins } : {}),
      logRetentionDays: retention,
    });
    this.hot.grantReadCredentials(this.ingest.fn.function);

    const sinks: Record<Sink, SinkBinding> = {
      hot: {
        environment: { ...this.hot.environment, ...funnelEnv },
        securityGroups: [this.hot.clients],
        grant: (fn) => this.hot.grantReadCredentials(fn),
      },
      warm: {
        environment: this.warehouse.environment,
        securityGroups: [this.warehouse.clients],
        grant: (fn) => this.warehouse.grantReadCredentials(fn),
      },
      cold: {
        environment: { SPATE_ARCHIVE_BUCKET: this.archive.bucket.bucketName },
        grant: (fn) => this.archive.grantWrite(fn),
      },
      push: {
        environment: { SPATE_WS_MANAGEMENT_URL: this.push.managementUrl },
        grant: (fn) => this.push.grantBroadcast(fn),
      },
    };
    this.aggregators = new Aggregators(this, 'Aggregators', {
      entries: catalog.aggregators,
      streaming: this.streaming,
      vpc: net.vpc,
      securityGroups: [net.functions],
      logRetentionDays: retention,
      sinks,
      ...(config.sharedPollerGroup ? { pollerGroupName: `spate-${config.name}-aggregators` } : {}),
    });

    this.query = new Query(this, 'Query', {
      handler: catalog.query,
      vpc: net.vpc,
      securityGroups: [net.functions, this.hot.clients, this.warehouse.clients],
      logRetentionDays: retention,
      accessLogs: logsBucket,
      siteDirectory: catalog.dashboardSite,
      // Exactly what lambdas/query/query-config.ts reads.
      environment: {
        ...this.hot.environment,
        ...funnelEnv,
        ...this.warehouse.environment,
        ...kafkaEnv,
        SPATE_DASHBOARD_TOKEN_SECRET_ARN: this.push.tokenSecret.secretArn,
        SPATE_WS_URL: this.push.url,
        // History past the warm tier: ClickHouse reads the archive (io/clickhouse/cold-tier-config.ts).
        SPATE_ARCHIVE_BUCKET: this.archive.bucket.bucketName,
      },
    });
    // It reads the store credentials once per container and the token key on every check.
    this.hot.grantReadCredentials(this.query.fn.function);
    this.warehouse.grantReadCredentials(this.query.fn.function);
    this.push.grantReadTokenKey(this.query.fn.function);
    // ClickHouse itself reads the archive for the query function's cold tier, with its task role.
    const clickhouseRole = this.warehouse.service?.taskDefinition.taskRole;
    if (clickhouseRole) {
      this.archive.bucket.grantRead(clickhouseRole);
      // Compaction: ClickHouse writes the Parquet objects (under the events prefix only), the
      // function lists the prefix and deletes what was merged. A ClickHouse Cloud service reaches
      // the archive with credentials of its own, which this stack does not hold: no compaction then.
      this.archive.grantWriteEvents(clickhouseRole);
      this.compaction = new Compaction(this, 'Compaction', {
        entry: catalog.compact,
        vpc: net.vpc,
        securityGroups: [net.functions, this.warehouse.clients],
        logRetentionDays: retention,
        // Exactly what io/s3/compaction-config.ts reads.
        environment: {
          ...this.warehouse.environment,
          SPATE_ARCHIVE_BUCKET: this.archive.bucket.bucketName,
          SPATE_ARCHIVE_PREFIX: ARCHIVE_EVENTS_PREFIX,
        },
      });
      this.archive.grantCompact(this.compaction.fn.function);
      this.warehouse.grantReadCredentials(this.compaction.fn.function);
    }
    // The ops view reads topic offsets and the aggregators' committed offsets.
    this.streaming.grantDescribe(
      this.query.fn.function,
      ALL_TOPICS.map((t) => t.name),
      catalog.aggregators.map((a) => a.mapping.groupId),
    );

    this.nlp = new Nlp(this, 'Nlp', {
      config: config.nlp,
      network: net,
      streaming: this.streaming,
      image: catalog.nlpImage,
      modelDirectory: catalog.nlpModel,
      // The firehose posts tweets here; the count is published whether or not a worker runs.
      arrivals: metricRouteRequests(this.ingest.api, this.ingest.stage.stageName, TWEETS_ROUTE_KEY),
      accessLogs: logsBucket,
      logRetentionDays: retention,
    });

    const observed = (name: string, fn: lambda.IFunction, consumesKafka = false) => ({
      name,
      fn,
      consumesKafka,
    });
    this.observability = new Observability(this, 'Observability', {
      ingestApi: this.ingest.api,
      ingestRateLimit: config.ingest.rateLimit,
      expectSteadyTraffic: config.ingest.expectSteadyTraffic,
      capacity: {
        kafkaDiskUsedPercent: this.streaming.metricDiskUsedPercent(),
        cacheMemoryUsedPercent: this.hot.metricMemoryUsedPercent(),
        clickhouseDiskUsedPercent: this.warehouse.metricDataDiskUsedPercent(),
        clickhouseRunningTasks: this.warehouse.metricRunningTasks(),
        nlpTasks: { desired: this.nlp.metricDesiredTasks(), running: this.nlp.metricRunningTasks() },
        queryLatencyP95: this.query.api.metricLatency({
          statistic: cloudwatch.Stats.p(95),
          period: Duration.minutes(5),
        }),
        frameFreshnessP95: this.push.metricFrameFreshness(),
      },
      pushApi: this.push.api,
      pushStageName: this.push.stage.stageName,
      functions: [
        observed('ingest', this.ingest.fn.function),
        observed('query', this.query.fn.function),
        observed('push-authorizer', this.push.authorizer.function),
        observed('push-connect', this.push.connect.function),
        observed('push-subscribe', this.push.subscribe.function),
        ...[...this.aggregators.functions].map(([name, f]) => observed(name, f.function, true)),
      ],
      ...(this.compaction ? { compaction: this.compaction.fn.function } : {}),
      warehouseWriters: catalog.aggregators
        .filter((a) => a.mapping.writes.includes('warm'))
        .map((a) => this.aggregators.functions.get(`${a.mapping.functionName}:${a.mapping.topic}`)!.function),
      eventsRejected: this.ingest.metricEventsRejected(),
      pushErrors: this.push.metricPushErrors(),
      nlpLag: this.nlp.metricConsumerLag(),
      nlpLagThreshold: config.nlp.lagPerTask * config.nlp.maxTasks,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });
  }
}
