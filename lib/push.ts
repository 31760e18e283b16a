import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SpateFunction } from './spate-function.ts';

export interface PushProps {
  readonly routesEntry: string;
  readonly authorizerEntry: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logRetentionDays: number;
  /** Environment the route handler needs to answer subscriptions (e.g. the hot store). @default none */
  readonly environment?: Record<string, string>;
  /** @default 'live' */
  readonly stageName?: string;
}

/**
 * The live side: a WebSocket API whose $connect is authorised by a Lambda authorizer, with
 * $disconnect and subscribe routes, and a grant for broadcasters to post to this API only.
 */
export class Push extends Construct {
  readonly api: apigw.WebSocketApi;
  readonly stage: apigw.WebSocketStage;
  readonly routes: SpateFunction;
  readonly authorizer: SpateFunction;

  constructor(scope: Construct, id: string, props: PushProps) {
    super(scope, id);
    const common = {
      vpc: props.vpc,
      securityGroups: [props.securityGroup],
      logRetentionDays: props.logRetentionDays,
    };
    this.authorizer = new SpateFunction(this, 'Authorizer', {
      ...common,
      entry: props.authorizerEntry,
      service: 'push-authorizer',
    });
    this.routes = new SpateFunction(this, 'Routes', {
      ...common,
      entry: props.routesEntry,
      service: 'push',
      environment: props.environment ?? {},
    });
    const integration = (name: string) => new WebSocketLambdaIntegration(name, this.routes.function);
    this.api = new apigw.WebSocketApi(this, 'Api', {
      description: 'Spate live dashboard push',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: integration('Connect'),
        authorizer: new WebSocketLambdaAuthorizer('Authorizer', this.authorizer.function, {
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: integration('Disconnect') },
    });
    this.api.addRoute('subscribe', { integration: integration('Subscribe') });
    this.api.addRoute('unsubscribe', { integration: integration('Unsubscribe') });

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
    this.grantBroadcast(this.routes.function);
    new CfnOutput(this, 'WebSocketUrl', {
      value: this.stage.url,
      description: 'Live dashboard WebSocket URL',
    });
  }

  /** https URL of the @connections management API the broadcasters post to. */
  get managementUrl(): string {
    return this.stage.callbackUrl;
  }

  /** execute-api:ManageConnections on this API's stage only. */
  grantBroadcast(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        // POST (send), GET (status) and DELETE (close) on connections of this stage only.
        resources: [
          `${Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId })}/${this.stage.stageName}/*/@connections/*`,
        ],
      }),
    );
  }
}
