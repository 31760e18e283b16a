import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCompactionConfig } from '../../io/s3/compaction-config.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { type Synthesized, synthesize } from './synth.ts';
import {
  actionsOf,
  type CfnResource,
  environmentOf,
  json,
  onlyResource,
  ownVariables,
  type PolicyStatement,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

// The cold tier's compaction on AWS: the function and its schedule, what it is given, what
// ClickHouse may write for it, the archive's lifecycle that keeps its objects readable by s3(),
// and the alarm on a failed run.

let dev: Synthesized;

beforeAll(() => {
  dev = synthesize(DEV_CONFIG);
}, 180_000);
afterAll(() => dev?.dispose());

const compaction = () => onlyResource(dev.template, 'AWS::Lambda::Function', 'CompactionHandlerFunction');
const archiveBucket = () => onlyResource(dev.template, 'AWS::S3::Bucket', 'ArchiveBucket');
const clickhouseRights = () =>
  statementsOfRole(dev.template, onlyResource(dev.template, 'AWS::IAM::Role', 'WarehouseTaskTaskRole')[0]);
const resourcesIn = (s: PolicyStatement): string[] =>
  (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(json);

/** `${bucket.Arn}/events/*` as CloudFormation writes it. */
const eventObjects = (bucketId: string) =>
  json({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/events/*']] });

describe('compaction function', () => {
  it('runs lambdas/compact/handler.ts for up to 15 minutes, in the VPC with access to ClickHouse', () => {
    const [, fn] = compaction();
    expect(fn.Properties).toMatchObject({ Timeout: 900, MemorySize: 1024, Runtime: 'nodejs24.x' });
    expect(environmentOf(fn).POWERTOOLS_SERVICE_NAME).toBe('compact');
    const groups = json((fn.Properties.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds);
    expect(groups).toContain('WarehouseClients');
    expect(groups).toContain('NetworkFunctions');
  });

  it('names the archive bucket and prefix and ClickHouse, exactly what io/s3/compaction-config.ts reads', () => {
    const [, fn] = compaction();
    const [bucketId] = archiveBucket();
    const [secretId] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'WarehouseCredentials');
    const env = environmentOf(fn);
    expect(ownVariables(fn)).toEqual([
      'SPATE_ARCHIVE_BUCKET',
      'SPATE_ARCHIVE_PREFIX',
      'SPATE_CLICKHOUSE_DATABASE',
      'SPATE_CLICKHOUSE_SECRET_ARN',
      'SPATE_CLICKHOUSE_URL',
    ]);
    expect(env.SPATE_ARCHIVE_BUCKET).toEqual({ Ref: bucketId });
    expect(env.SPATE_CLICKHOUSE_SECRET_ARN).toEqual({ Ref: secretId });
    expect(env.SPATE_CLICKHOUSE_URL).toBe('http://clickhouse.spate.internal:8123');

    // The config the handler builds from them (the secret's fields stand in for its values).
    const config = readCompactionConfig({
      AWS_REGION: 'eu-west-1',
      SPATE_ARCHIVE_BUCKET: 'archive-bucket',
      SPATE_ARCHIVE_PREFIX: env.SPATE_ARCHIVE_PREFIX as string,
      SPATE_CLICKHOUSE_URL: env.SPATE_CLICKHOUSE_URL as string,
      SPATE_CLICKHOUSE_DATABASE: env.SPATE_CLICKHOUSE_DATABASE as string,
      SPATE_CLICKHOUSE_USER: 'spate',
      SPATE_CLICKHOUSE_PASSWORD: 'secret',
    });
    expect(config.bucket).toBe('archive-bucket');
    expect(config.cold).toEqual({
      bucketUrl: 'https://archive-bucket.s3.eu-west-1.amazonaws.com',
      prefix: 'events',
    });
    expect(config.clickhouse).toMatchObject({
      url: 'http://clickhouse.spate.internal:8123',
      database: 'spate',
    });
  });

  it('runs daily at 00:15 UTC from an EventBridge rule, retried once by Lambda', () => {
    const [fnId] = compaction();
    const [ruleId, rule] = onlyResource(dev.template, 'AWS::Events::Rule', 'CompactionDaily');
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'cron(15 0 * * ? *)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    });
    const permissions = resourcesOf(dev.template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    const [, invoke] = onlyResource(dev.template, 'AWS::Lambda::EventInvokeConfig', 'CompactionHandler');
    expect(invoke.Properties.MaximumRetryAttempts).toBe(1);
  });
});

describe('compaction rights', () => {
  it('lets the function list the events prefix and delete objects under it, and nothing more on S3', () => {
    const [, fn] = compaction();
    const [bucketId] = archiveBucket();
    const rights = statementsOfRole(dev.template, roleOfFunction(fn));
    const s3 = rights.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:DeleteObject', 's3:ListBucket']);
    const [list] = statementsWith(rights, 's3:ListBucket');
    expect(resourcesIn(list!)).toEqual([json({ 'Fn::GetAtt': [bucketId, 'Arn'] })]);
    expect(list).toMatchObject({ Condition: { StringLike: { 's3:prefix': ['events/*'] } } });
    const [del] = statementsWith(rights, 's3:DeleteObject');
    expect(resourcesIn(del!)).toEqual([eventObjects(bucketId)]);
    // ClickHouse reads and writes the objects: the function neither reads nor writes them.
    expect(rights.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
    // It reads the ClickHouse credentials at run time.
    const [secretId] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'WarehouseCredentials');
    expect(statementsWith(rights, 'secretsmanager:GetSecretValue').flatMap(resourcesIn)).toEqual([
      json({ Ref: secretId }),
    ]);
  });

  it('lets ClickHouse put objects under the events prefix only, encrypted with the archive key', () => {
    const [bucketId] = archiveBucket();
    const [keyId] = onlyResource(dev.template, 'AWS::KMS::Key', 'ArchiveKey');
    const rights = clickhouseRights();
    const puts = statementsWith(rights, 's3:PutObject').filter((s) =>
      resourcesIn(s).some((r) => r.includes(bucketId)),
    );
    expect(puts).toHaveLength(1);
    expect(resourcesIn(puts[0]!)).toEqual([eventObjects(bucketId)]);
    const encrypt = statementsWith(rights, 'kms:GenerateDataKey*').filter((s) =>
      resourcesIn(s).some((r) => r.includes(keyId)),
    );
    expect(encrypt).toHaveLength(1);
    // Multipart uploads to a KMS bucket also decrypt.
    expect(
      statementsWith(rights, 'kms:Decrypt').filter((s) => resourcesIn(s).some((r) => r.includes(keyId)))
        .length,
    ).toBeGreaterThan(0);
    // No delete right for ClickHouse on the archive: the function deletes what was merged.
    expect(
      rights.filter(
        (s) =>
          actionsOf(s).some((a) => a.startsWith('s3:Delete')) &&
          resourcesIn(s).some((r) => r.includes(bucketId)),
      ),
    ).toEqual([]);
  });
});

/** Storage classes a plain GET reads (ClickHouse's s3(), a replay) without a restore first. */
const READABLE = new Set(['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR']);

interface LifecycleRule {
  readonly Id?: string;
  readonly Status: string;
  readonly Prefix?: string;
  readonly Transitions?: { StorageClass: string; TransitionInDays: number }[];
}

/** A rule whose filter takes in objects under `events/` (no prefix, or one events/ keys start with). */
const coversEvents = (rule: LifecycleRule) =>
  rule.Status === 'Enabled' && ['events/', 'events/x'].some((key) => key.startsWith(rule.Prefix ?? ''));

describe('archive lifecycle', () => {
  it('never moves the objects the cold tier reads to a class s3() cannot read', () => {
    const [, bucket] = archiveBucket();
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: LifecycleRule[] }).Rules;
    const covering = rules.filter(coversEvents);
    expect(covering.flatMap((r) => r.Transitions ?? []).length).toBeGreaterThan(0);
    for (const rule of covering)
      for (const t of rule.Transitions ?? [])
        expect(READABLE, `${rule.Id}: ${t.StorageClass}`).toContain(t.StorageClass);
    // Intelligent-Tiering's opt-in archive tiers would need a restore too.
    expect(bucket.Properties.IntelligentTieringConfigurations).toBeUndefined();
  });

  it('removes the delete markers compaction leaves once their versions have expired', () => {
    const [, bucket] = archiveBucket();
    const rules = (
      bucket.Properties.LifecycleConfiguration as { Rules: (LifecycleRule & CfnResource['Properties'])[] }
    ).Rules;
    expect(rules.filter((r) => r.ExpiredObjectDeleteMarker === true && coversEvents(r))).toHaveLength(1);
    expect(rules.some((r) => r.NoncurrentVersionExpiration !== undefined && coversEvents(r))).toBe(true);
  });
});

describe('compaction alarm', () => {
  it('alarms on any error of a run, notifying the alarm topic', () => {
    const [fnId] = compaction();
    const [topicId] = onlyResource(dev.template, 'AWS::SNS::Topic', 'ObservabilityAlarms');
    const [, alarm] = onlyResource(dev.template, 'AWS::CloudWatch::Alarm', 'ObservabilityCompactionErrors');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});
