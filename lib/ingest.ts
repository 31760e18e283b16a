import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { METRIC_SERVICES, SPATE_METRICS } from '../core/metrics/metric-names.ts';
import { TOPICS } from '../core/topics.ts';
import type { HttpEntry } from './catalog.ts';
import type { IngestConfig } from './config.ts';
import { addRouteKeys } from './route-keys.ts';
import { SpateFunction } from './spate-function.ts';
import { spateMetric } from './spate-metric.ts';
import type { Streaming } from './streaming/streaming.ts';

export interface IngestProps {
  readonly config: IngestConfig;
  /** The ingest function and the route keys it answers (INGEST_ROUTE_KEYS of lambdas/ingest/routes.ts). */
  readonly handler: HttpEntry;
  readonly streaming: Streaming;
  readonly vpc: ec2.IVpc;
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly logRetentionDays: number;
  /**
   * Per project, the web origins whose pages may post events (`*`: any), as SPATE_CORS_ORIGINS
   * holds them (io/config/cors-origins.ts). None: no browser page may post.
   */
  readonly corsOrigins?: Readonly<Record<string, readonly string[]>>;
  /**
   * The hot store's connection settings (HotStore.environment): the per-key token buckets are
   * shared there by every container. Give the function the store's client security group and
   * `grantReadCredentials` too.
   * @default none: each container limits on its own
   */
  readonly hotStoreEnvironment?: Readonly<Record<string, string>>;
}

/** Topics the ingest function may write, and nothing else. */
export const INGEST_TOPICS = [TOPICS.eventsRaw.name, TOPICS.eventsDlq.name, TOPICS.tweetsRaw.name] as const;

/**
 * The front door: an HTTP API whose POST routes reach the ingest function, throttled at the
 * stage, with JSON access logs, an optional custom domain, and write keys in Secrets Manager.
 */
export class Ingest extends Construct {
  readonly api: apigw.HttpApi;
  readonly fn: SpateFunction;
  readonly writeKeys: secretsmanager.Secret;
  readonly stage: apigw.HttpStage;
  readonly url: string;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    // Hashed write keys as {project: sha256hex}: the secret never holds a usable key.
    this.writeKeys = new secretsmanager.Secret(this, 'WriteKeys', {
      description: 'Spate write keys: JSON object {project: sha256 hex of the key}',
      secretObjectValue: {},
    });
    this.fn = new SpateFunction(this, 'Handler', {
      entry: props.handler.entry,
      service: 'ingest',
      vpc: props.vpc,
      securityGroups: props.securityGroups,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: props.config.memoryMiB,
      timeout: Duration.seconds(10),
      environment: {
        SPATE_KAFKA_BROKERS: props.streaming.bootstrapBrokers,
        SPATE_KAFKA_AUTH: 'msk-iam',
        // Read at run time (io/config/write-key-source.ts), so a key added to the secret is
        // accepted within minutes, with no redeploy.
        SPATE_WRITE_KEYS_SECRET_ARN: this.writeKeys.secretArn,
        ...(props.corsOrigins ? { SPATE_CORS_ORIGINS: JSON.stringify(props.corsOrigins) } : {}),
        ...props.hotStoreEnvironment,
      },
    });
    this.writeKeys.grantRead(this.fn.function);
    props.streaming.grantProduce(this.fn.function, INGEST_TOPICS);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const domain = props.config.domain
      ? new apigw.DomainName(this, 'Domain', {
          domainName: props.config.domain.name,
          certificate: acm.Certificate.fromCertificateArn(
            this,
            'Certificate',
            props.config.domain.certificateArn,
          ),
        })
      : undefined;
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Spate event ingestion',
      createDefaultStage: false,
      disableExecuteApiEndpoint: domain !== undefined,
      // No corsPreflight: API Gateway would answer every preflight itself and put one API-wide
      // origin list on every response. The function answers CORS (OPTIONS routes included)
      // with the origins of the project the write key names.
    });
    this.stage = this.api.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.config.rateLimit, burstLimit: props.config.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTimeEpoch',
            route: '$context.routeKey',
            status: '$context.status',
            length: '$context.responseLength',
            latency: '$context.responseLatency',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
      ...(domain ? { domainMapping: { domainName: domain } } : {}),
    });
    addRouteKeys(this.api, props.handler.routeKeys, new HttpLambdaIntegration('Ingest', this.fn.function));
    this.url = domain ? `https://${props.config.domain!.name}` : this.stage.url;
    new CfnOutput(this, 'Endpoint', { value: this.url, description: 'Event ingestion endpoint' });
    new CfnOutput(this, 'WriteKeysSecret', {
      value: this.writeKeys.secretName,
      description: 'Secret holding hashed write keys (see docs/deploy.md to add one)',
    });
  }

  /** Events written to events.raw (sum over 5 minutes). */
  metricEventsAccepted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spateMetric(SPATE_METRICS.eventsAccepted, { service: METRIC_SERVICES.ingest }, props);
  }

  /** Events refused by validation and written to events.dlq with their reason (sum over 5 minutes). */
  metricEventsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spateMetric(SPATE_METRICS.eventsRejected, { service: METRIC_SERVICES.ingest }, props);
  }
}
