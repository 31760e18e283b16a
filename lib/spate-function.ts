import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../core/metrics/metric-names.ts';
import { REPO_ROOT } from './catalog.ts';

export interface SpateFunctionProps {
  /** Absolute path of the handler module; bundled with the local esbuild, never Docker. */
  readonly entry: string;
  /** Powertools service name and the function's role in logs and metrics. */
  readonly service: string;
  /**
   * The VPC whose private subnets the function runs in; none for functions that reach only
   * public AWS APIs (the WebSocket authorizer), which then start without an ENI.
   * @default no VPC
   */
  readonly vpc?: ec2.IVpc;
  /** @default none (only with a VPC) */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** @default a generated description naming the service */
  readonly description?: string;
  readonly logRetentionDays: number;
  /** @default 512 */
  readonly memoryMiB?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** Extra environment; Powertools settings are always set. @default none */
  readonly environment?: Record<string, string>;
  /** Exported handler name in the module. @default 'handler' */
  readonly handler?: string;
}

const POWERTOOLS_NAMESPACE = METRICS_NAMESPACE;

/**
 * A Spate Lambda function: Node 24 on ARM64 (Graviton is cheaper per GB-second), bundled as
 * ESM by esbuild, JSON logs into a log group with a retention, Powertools configured, X-Ray on.
 */
export class SpateFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SpateFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description ?? `Spate ${props.service}`,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: {
              subnets:
                props.vpc.privateSubnets.length > 0 ? props.vpc.privateSubnets : props.vpc.isolatedSubnets,
            },
            securityGroups: props.securityGroups ?? [],
          }
        : {}),
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: POWERTOOLS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        // ESM bundles of CommonJS dependencies need a require() in scope.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        // The Lambda runtime ships the v3 SDK; native addons are never part of a handler.
        externalModules: ['@aws-sdk/*'],
      },
    });
  }
}

export { POWERTOOLS_NAMESPACE };
