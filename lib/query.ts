import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { dashboardContentSecurityPolicy } from '../core/dashboard/content-security-policy.ts';
import type { HttpEntry } from './catalog.ts';
import { addRouteKeys } from './route-keys.ts';
import { SpateFunction } from './spate-function.ts';

export interface QueryProps {
  /** The query function and the route keys it answers (QUERY_ROUTE_KEYS of lambdas/query/routes.ts). */
  readonly handler: HttpEntry;
  readonly vpc: ec2.IVpc;
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly logRetentionDays: number;
  readonly environment: Record<string, string>;
  readonly accessLogs: s3.IBucket;
  /**
   * The built dashboard (dashboard/dist), deployed to the site bucket. Its index.html is read at
   * synth: the site's Content-Security-Policy allows that page's inline scripts by hash.
   */
  readonly siteDirectory: string;
  /** @default 1000 requests/s */
  readonly rateLimit?: number;
}

/**
 * The read side: the query function behind an HTTP API, and the dashboard served from a
 * private bucket through CloudFront (origin access control, security headers), which also
 * forwards /v1/* to the query API so the dashboard calls its own origin.
 */
export class Query extends Construct {
  readonly fn: SpateFunction;
  readonly api: apigw.HttpApi;
  readonly siteBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly site: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: QueryProps) {
    super(scope, id);
    this.fn = new SpateFunction(this, 'Handler', {
      entry: props.handler.entry,
      service: 'query',
      vpc: props.vpc,
      securityGroups: props.securityGroups,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 1024,
      timeout: Duration.seconds(29),
      environment: props.environment,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigw.HttpApi(this, 'Api', { description: 'Spate query API', createDefaultStage: false });
    this.api.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 1000, burstLimit: 2 * (props.rateLimit ?? 1000) },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    addRouteKeys(this.api, props.handler.routeKeys, new HttpLambdaIntegration('Query', this.fn.function));

    this.siteBucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: {
          // Allows index.html's own inline scripts by hash; the WebSocket API is on execute-api.
          contentSecurityPolicy: dashboardContentSecurityPolicy(
            readFileSync(join(props.siteDirectory, 'index.html'), 'utf8'),
            { connectSources: ['wss://*.amazonaws.com'] },
          ),
          override: true,
        },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Spate dashboard',
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      additionalBehaviors: {
        'v1/*': {
          origin: new origins.HttpOrigin(
            `${this.api.apiId}.execute-api.${this.api.stack.region}.amazonaws.com`,
          ),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    // The dashboard calls its own origin (/v1/* above), so the built files need no endpoint baked in.
    this.site = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(props.siteDirectory)],
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.distribution.distributionDomainName}`,
      description: 'Live dashboard (open it with ?token=<dashboard token>)',
    });
  }
}
