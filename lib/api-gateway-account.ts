import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IDependable } from 'constructs';

export interface ApiGatewayAccountProps {
  /**
   * "create": make the role and set it as the account's (region's) API Gateway CloudWatch Logs
   * role. "existing": the account has one already (`npx spate preflight` checks), nothing is made.
   */
  readonly mode: 'create' | 'existing';
}

/**
 * API Gateway's account-level CloudWatch Logs role. WebSocket (and REST) stages with access or
 * execution logging fail with CREATE_FAILED in an account without one, and a fresh account has
 * none. The setting is per account and region, shared by every API there, so the role outlives
 * the stack (RETAIN): deleting it would break the logging of APIs that are not Spate's.
 */
export class ApiGatewayAccount extends Construct {
  /** What a stage with logging depends on; nothing in "existing" mode. */
  readonly ready?: IDependable;
  readonly role?: iam.Role;

  constructor(scope: Construct, id: string, props: ApiGatewayAccountProps) {
    super(scope, id);
    if (props.mode === 'existing') return;
    this.role = new iam.Role(this, 'CloudWatchRole', {
      description: 'API Gateway account role: pushes API logs to CloudWatch Logs',
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.ready = account;
  }
}
