import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { SpateFunction } from './spate-function.ts';

export interface CompactionProps {
  /** lambdas/compact/handler.ts. */
  readonly entry: string;
  readonly vpc: ec2.IVpc;
  /** Groups that reach ClickHouse, S3 and Secrets Manager. */
  readonly securityGroups: ec2.ISecurityGroup[];
  readonly logRetentionDays: number;
  /**
   * What io/s3/compaction-config.ts reads: the archive bucket and prefix, ClickHouse's URL,
   * database and credentials secret.
   */
  readonly environment: Record<string, string>;
}

/** When the run starts: shortly after the UTC day closes, so it compacts up to yesterday. */
export const COMPACTION_SCHEDULE = { hour: '0', minute: '15' } as const;

/**
 * Compaction of the cold tier (io/s3/compaction.ts): once a day, the function has ClickHouse
 * merge the archive's small NDJSON objects into Parquet objects, then deletes the merged ones.
 * It stops starting jobs two minutes before its 15-minute timeout; what is left is the next run's.
 */
export class Compaction extends Construct {
  readonly fn: SpateFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CompactionProps) {
    super(scope, id);
    this.fn = new SpateFunction(this, 'Handler', {
      entry: props.entry,
      service: 'compact',
      description: 'Spate archive compaction',
      vpc: props.vpc,
      securityGroups: props.securityGroups,
      logRetentionDays: props.logRetentionDays,
      // Lists the whole archive prefix (years of keys before a first run) and plans in memory;
      // the merging itself runs in ClickHouse.
      memoryMiB: 1024,
      timeout: Duration.minutes(15),
      environment: props.environment,
    });
    this.rule = new events.Rule(this, 'Daily', {
      description: 'Spate archive compaction, daily after 00:00 UTC',
      schedule: events.Schedule.cron(COMPACTION_SCHEDULE),
    });
    // A failed run is retried once by Lambda (it starts over from a new listing), then waits
    // for the next day; the alarm on the function's errors reports it.
    this.fn.function.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.hours(2) });
    this.rule.addTarget(new targets.LambdaFunction(this.fn.function));
  }
}
