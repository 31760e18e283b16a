import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { METRIC_SERVICES, SPATE_METRICS } from '../core/metrics/metric-names.ts';
import { SpateFunction } from './spate-function.ts';
import { spateMetric } from './spate-metric.ts';

export interface PushProps {
  /** REQUEST authorizer of $connect (lambdas/connect/authorizer.ts). */
  readonly authorizerEntry: string;
  /** $connect and $disconnect (lambdas/connect/handler.ts). */
  readonly connectEntry: string;
  /** subscribe and unsubscribe (lambdas/subscribe/handler.ts). */
  readonly subscribeEntry: string;
  readonly vpc: ec2.IVpc;
  /** Groups of the connect and subscribe functions (they keep the connection registry in the hot store). */
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly logRetentionDays: number;
  /** What the route functions read (the hot store's URL and credentials secret). */
  readonly environment: Record<string, string>;
  /**
   * Secrets whose ARNs `environment` carries: the route functions may read them.
   * @default none
   */
  readonly environmentSecrets?: readonly secretsmanager.ISecret[];
  /** @default 'live' */
  readonly stageName?: string;
  /**
   * The API Gateway account CloudWatch Logs role the stage's access logging needs; the stage
   * waits for it.
   * @default nothing: the account must have the role already
   */
  readonly accountLogging?: IDependable;
}

/** Channel messages a connected dashboard sends, as `{"action": ...}`; each answers on the socket. */
export const WS_MESSAGE_ROUTES = ['subscribe', 'unsubscribe'] as const;

/**
 * The live side: a WebSocket API whose $connect is authorised by a Lambda REQUEST authorizer
 * on `?token=`, $disconnect and channel routes whose replies go back on the socket, the secret
 * that signs dashboard tokens, and a grant for broadcasters to post to this API only.
 */
export class Push extends Construct {
  readonly api: apigw.WebSocketApi;
  readonly stage: apigw.WebSocketStage;
  readonly authorizer: SpateFunction;
  readonly connect: SpateFunction;
  readonly subscribe: SpateFunction;
  /** Signs and verifies dashboard tokens (HMAC key); read at run time by every function that checks one. */
  readonly tokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PushProps) {
    super(scope, id);
    this.tokenSecret = new secretsmanager.Secret(this, 'DashboardTokenKey', {
      description: 'Spate dashboard token signing key (HMAC-SHA256)',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    const inVpc = {
      vpc: props.vpc,
      securityGroups: props.securityGroups,
      logRetentionDays: props.logRetentionDays,
    };
    // The authorizer only checks an HMAC: no VPC, so no ENI on the connect path. It alone
    // checks tokens, so it alone reads the key (io/config/dashboard-token-key.ts).
    this.authorizer = new SpateFunction(this, 'Authorizer', {
      entry: props.authorizerEntry,
      service: 'push-authorizer',
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 256,
      environment: { SPATE_DASHBOARD_TOKEN_SECRET_ARN: this.tokenSecret.secretArn },
    });
    this.grantReadTokenKey(this.authorizer.function);
    this.connect = new SpateFunction(this, 'Connect', {
      ...inVpc,
      entry: props.connectEntry,
      service: 'push-connect',
      environment: props.environment,
    });
    this.subscribe = new SpateFunction(this, 'Subscribe', {
      ...inVpc,
      entry: props.subscribeEntry,
      service: 'push-subscribe',
      environment: props.environment,
    });
    for (const secret of props.environmentSecrets ?? [])
      for (const fn of [this.connect, this.subscribe]) secret.grantRead(fn.function);
    const connections = (name: string) => new WebSocketLambdaIntegration(name, this.connect.function);
    this.api = new apigw.WebSocketApi(this, 'Api', {
      description: 'Spate live dashboard push',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: connections('Connect'),
        authorizer: new WebSocketLambdaAuthorizer('Authorizer', this.authorizer.function, {
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: connections('Disconnect') },
    });
    const channels = new WebSocketLambdaIntegration('Channels', this.subscribe.function);
    for (const route of WS_MESSAGE_ROUTES) {
      // The reply carries the channels' last snapshots, so it must reach the client.
      this.api.addRoute(route, { integration: channels, returnResponse: true });
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName ?? 'live',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    if (props.accountLogging) this.stage.node.addDependency(props.accountLogging);
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.stage.url,
      description: 'Live dashboard WebSocket URL',
    });
    new CfnOutput(this, 'DashboardTokenSecret', {
      value: this.tokenSecret.secretName,
      description: 'Secret holding the dashboard token signing key (see docs/deploy.md)',
    });
  }

  /** Lets a function read the signing key at run time, to check tokens. */
  grantReadTokenKey(grantee: iam.IGrantable): void {
    this.tokenSecret.grantRead(grantee);
  }

  /** wss URL dashboards connect to (the query function tells them in its snapshot answer). */
  get url(): string {
    return this.stage.url;
  }

  /** https URL of the @connections management API the broadcaster posts to. */
  get managementUrl(): string {
    return this.stage.callbackUrl;
  }

  /** execute-api:ManageConnections on this API's stage only. */
  grantBroadcast(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        // POST (send), GET (status) and DELETE (close) on connections of this stage only.
        resources: [this.connectionsArn],
      }),
    );
  }

  /** Frames the broadcaster could not post, and broadcasts that failed whole (sum over 5 minutes). */
  metricPushErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spateMetric(SPATE_METRICS.pushErrors, { service: METRIC_SERVICES.broadcast }, props);
  }

  /**
   * Event-to-frame freshness: the age of a broadcaster batch's oldest event when its frames are
   * pushed, in ms; p95 over 5 minutes by default.
   */
  metricFrameFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spateMetric(
      SPATE_METRICS.frameFreshness,
      { service: METRIC_SERVICES.broadcast },
      { statistic: cloudwatch.Stats.p(95), ...props },
    );
  }

  get connectionsArn(): string {
    return `${Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId })}/${this.stage.stageName}/*/@connections/*`;
  }
}
