// The class of mistakes that pass synth, cdk-nag and CloudFormation validation and still stop
// a first deploy in a fresh account, or leave it deployed and not working (issue: "cdk deploy
// succeeds in a fresh AWS account"). Each test reads what a deploy would use: the staged cloud
// assembly, its asset manifest, the synthesized template.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayAccount } from '../../lib/api-gateway-account.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { contextCopies, missingCopySources, nodeMajorOf } from './dockerfile.ts';
import { evaluate, type Sample } from './metric-math.ts';
import { type Synthesized, synthesize, testCatalog } from './synth.ts';
import { type CfnResource, json, resourcesOf } from './template-queries.ts';

let dev: Synthesized;
const catalog = testCatalog();

beforeAll(() => {
  dev = synthesize(DEV_CONFIG, catalog);
}, 180_000);
afterAll(() => dev?.dispose());

interface DockerImageAsset {
  readonly source: { readonly directory: string; readonly dockerFile?: string; readonly platform?: string };
}

function dockerImages(s: Synthesized): [string, DockerImageAsset][] {
  const manifest = JSON.parse(readFileSync(join(s.outdir, `${s.stack.stackName}.assets.json`), 'utf8')) as {
    dockerImages?: Record<string, DockerImageAsset>;
  };
  return Object.entries(manifest.dockerImages ?? {});
}

const resources = (s: Synthesized) => s.template.toJSON().Resources as Record<string, CfnResource>;
const refOf = (v: unknown): string | undefined => (v as { Ref?: string } | undefined)?.Ref;

describe('image assets build from what they stage', () => {
  it('stages every COPY/ADD source of every Dockerfile in its image asset directory', () => {
    const images = dockerImages(dev);
    // The NLP worker and ClickHouse.
    expect(images).toHaveLength(2);
    for (const [hash, image] of images) {
      const dir = join(dev.outdir, image.source.directory);
      const dockerfile = image.source.dockerFile ?? 'Dockerfile';
      expect(contextCopies(readFileSync(join(dir, dockerfile), 'utf8')).length, hash).toBeGreaterThan(0);
      expect(missingCopySources(dir, dockerfile), `${dockerfile} (asset ${hash})`).toEqual([]);
    }
  });

  it('catches a source the context lacks, as a build with the patches left out would fail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-context-'));
    try {
      mkdirSync(join(dir, 'core'));
      writeFileSync(join(dir, 'package.json'), '{}');
      writeFileSync(
        join(dir, 'Dockerfile'),
        'FROM node:24 AS deps\nCOPY package.json \\\n  package-lock.json ./\nCOPY patches ./patches\nFROM scratch\nCOPY --from=deps /app /app\nCOPY --chown=1:1 core ./core\n',
      );
      expect(missingCopySources(dir, 'Dockerfile')).toEqual(['line 2: package-lock.json', 'line 4: patches']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the NLP worker on the Node major the Lambda functions run', () => {
    const dockerfile = readFileSync(join(catalog.nlpImage.directory, catalog.nlpImage.file), 'utf8');
    const runtimes = new Set(
      resourcesOf(dev.template, 'AWS::Lambda::Function')
        .filter(([, f]) => json(f.Properties.Environment).includes('POWERTOOLS_SERVICE_NAME'))
        .map(([, f]) => f.Properties.Runtime),
    );
    expect([...runtimes]).toEqual([`nodejs${nodeMajorOf(dockerfile)}.x`]);
  });
});

describe('image platforms', () => {
  /** The instance type each task definition's capacity launches: task -> service -> cluster -> provider -> group -> template. */
  function hostTypeOfTask(r: Record<string, CfnResource>, taskId: string): string {
    const service = Object.values(r).find(
      (x) => x.Type === 'AWS::ECS::Service' && refOf(x.Properties.TaskDefinition) === taskId,
    );
    const cluster = refOf(service?.Properties.Cluster);
    const association = Object.values(r).find(
      (x) =>
        x.Type === 'AWS::ECS::ClusterCapacityProviderAssociations' && refOf(x.Properties.Cluster) === cluster,
    );
    const providerIds =
      (association?.Properties.CapacityProviders as unknown[] | undefined)?.map(refOf) ?? [];
    expect(providerIds, `capacity of ${taskId}`).toHaveLength(1);
    const provider = r[providerIds[0]!]!;
    const groupId = refOf(
      (provider.Properties.AutoScalingGroupProvider as { AutoScalingGroupArn: unknown }).AutoScalingGroupArn,
    )!;
    const template = refOf(
      (r[groupId]!.Properties.LaunchTemplate as { LaunchTemplateId: unknown }).LaunchTemplateId,
    )!;
    return (r[template]!.Properties.LaunchTemplateData as { InstanceType: string }).InstanceType;
  }

  it('builds every image for the architecture of the instances its tasks run on', () => {
    const r = resources(dev);
    const images = dockerImages(dev);
    const tasks = Object.entries(r).filter(([, x]) => x.Type === 'AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(2);
    for (const [taskId, task] of tasks) {
      const image = json((task.Properties.ContainerDefinitions as { Image: unknown }[])[0]!.Image);
      const asset = images.find(([hash]) => image.includes(hash));
      expect(asset, `image asset of ${taskId}`).toBeDefined();
      const hostType = hostTypeOfTask(r, taskId);
      const arch = new ec2.InstanceType(hostType).architecture;
      const expected = arch === ec2.InstanceArchitecture.ARM_64 ? 'linux/arm64' : 'linux/amd64';
      expect(asset![1].source.platform, `${taskId} on ${hostType}`).toBe(expected);
    }
  });
});

describe('scaling from zero', () => {
  /** Metrics nobody publishes while no consumer of the topic runs (or before its group first commits). */
  const consumerSide = (stat: { Namespace: string; MetricName: string; Dimensions?: { Name: string }[] }) =>
    (stat.Namespace === 'Spate' && stat.MetricName === 'ConsumerLag') ||
    stat.MetricName.endsWith('OffsetLag') ||
    (stat.Dimensions ?? []).some((d) => d.Name === 'Consumer Group');

  interface AlarmMetric {
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string }[] } };
  }

  /** The step-scaling alarms of every scalable target that may go down to zero tasks. */
  function zeroTargetAlarms(): { target: string; alarms: CfnResource[] }[] {
    const r = resources(dev);
    return Object.entries(r)
      .filter(
        ([, x]) => x.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && x.Properties.MinCapacity === 0,
      )
      .map(([target]) => {
        const policies = Object.entries(r)
          .filter(
            ([, p]) =>
              p.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy' &&
              p.Properties.PolicyType === 'StepScaling' &&
              refOf(p.Properties.ScalingTargetId) === target,
          )
          .map(([id]) => id);
        const alarms = Object.values(r).filter(
          (a) =>
            a.Type === 'AWS::CloudWatch::Alarm' &&
            ((a.Properties.AlarmActions as unknown[]) ?? []).some((x) => policies.includes(refOf(x)!)),
        );
        return { target, alarms };
      });
  }

  /** The alarm's value with consumer-side metrics absent and the others as `others` says. */
  function alarmValue(alarm: CfnResource, others: (m: AlarmMetric) => Sample): Sample {
    const metrics = alarm.Properties.Metrics as AlarmMetric[];
    const samples: Record<string, Sample> = {};
    for (const m of metrics)
      if (m.MetricStat) samples[m.Id] = consumerSide(m.MetricStat.Metric) ? undefined : others(m);
    const result = metrics.find((m) => m.ReturnData !== false && m.Expression);
    expect(result, 'a scaling alarm on metric math').toBeDefined();
    return evaluate(result!.Expression!, samples);
  }

  const isTaskCount = (m: AlarmMetric) => m.MetricStat?.Metric.Namespace === 'ECS/ContainerInsights';

  it('starts the first task on a metric published while no consumer runs, and stops the last when it goes quiet', () => {
    const targets = zeroTargetAlarms();
    // dev's NLP service (minTasks 0).
    expect(targets).toHaveLength(1);
    for (const { target, alarms } of targets) {
      const out = alarms.find((a) => a.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold');
      const back = alarms.find((a) => a.Properties.ComparisonOperator === 'LessThanOrEqualToThreshold');
      expect(out && back, target).toBeTruthy();
      // Tweets arriving, no task wanted (Container Insights may publish nothing for a service at zero).
      for (const desired of [undefined, 0]) {
        const waking = alarmValue(out!, (m) => (isTaskCount(m) ? desired : 10));
        expect(waking, `${target} with desired ${desired}`).toBeGreaterThanOrEqual(
          out!.Properties.Threshold as number,
        );
      }
      // Nothing arriving and nobody reporting lag: back to zero.
      const quiet = alarmValue(back!, (m) => (isTaskCount(m) ? 1 : undefined));
      expect(quiet).toBeLessThanOrEqual(back!.Properties.Threshold as number);
      // One task running while tweets arrive and its lag is low: neither step fires (no flapping).
      const held = alarmValue(out!, (m) => (isTaskCount(m) ? 1 : 10));
      expect(held).toBeLessThan(out!.Properties.Threshold as number);
      expect(held).toBeGreaterThan(back!.Properties.Threshold as number);
    }
  });
});

describe('API Gateway account logging', () => {
  it('creates the account CloudWatch Logs role (kept on delete) before the WebSocket stage that logs', () => {
    const r = resources(dev);
    const accounts = Object.entries(r).filter(([, x]) => x.Type === 'AWS::ApiGateway::Account');
    expect(accounts).toHaveLength(1);
    const [accountId, account] = accounts[0]!;
    const roleId = (account.Properties.CloudWatchRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const role = dev.template.toJSON().Resources[roleId] as CfnResource & { DeletionPolicy?: string };
    expect(json(role.Properties.AssumeRolePolicyDocument)).toContain('apigateway.amazonaws.com');
    expect(json(role.Properties.ManagedPolicyArns)).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
    expect(role.DeletionPolicy).toBe('Retain');
    const stages = Object.values(r).filter(
      (x) => x.Type === 'AWS::ApiGatewayV2::Stage' && x.Properties.AccessLogSettings !== undefined,
    );
    const webSocketStages = stages.filter((x) => json(x.Properties.ApiId).includes('PushApi'));
    expect(webSocketStages).toHaveLength(1);
    expect(webSocketStages[0]!.DependsOn).toContain(accountId);
  });

  it('makes nothing when the account has its role already', () => {
    const stack = new Stack(new App(), 'Existing');
    new ApiGatewayAccount(stack, 'Account', { mode: 'existing' });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Account', 0);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('alarms an operator of a fresh deploy needs', () => {
  const alarm = (name: string) => {
    const found = resourcesOf(dev.template, 'AWS::CloudWatch::Alarm', `Observability${name}`);
    expect(found, name).toHaveLength(1);
    return found[0]![1].Properties;
  };
  const reads = (p: Record<string, unknown>, ...fragments: string[]) =>
    fragments.every((f) => json(p.Metrics ?? p).includes(f));

  it("watches broker disks, the cache's data limit, ClickHouse's disk and task, NLP tasks that do not come, query p95 and event-to-frame freshness", () => {
    const cache = alarm('CacheMemory');
    expect(reads(cache, '"MetricName":"BytesUsedForCache"', `/ ${2 ** 30}`)).toBe(true);
    expect(cache.Threshold).toBe(85);
    const disk = alarm('ClickHouseDisk');
    expect(disk).toMatchObject({ MetricName: 'disk_used_percent', Namespace: 'Spate', Threshold: 80 });
    expect(json(disk.Dimensions)).toContain('"Value":"/data/clickhouse"');
    expect(alarm('ClickHouseDown')).toMatchObject({
      MetricName: 'RunningTaskCount',
      Namespace: 'ECS/ContainerInsights',
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(reads(alarm('NlpTasksMissing'), 'DesiredTaskCount', 'RunningTaskCount')).toBe(true);
    expect(alarm('QueryLatency')).toMatchObject({ MetricName: 'Latency', ExtendedStatistic: 'p95' });
    expect(alarm('FrameFreshness')).toMatchObject({
      MetricName: 'FrameFreshness',
      Namespace: 'Spate',
      ExtendedStatistic: 'p95',
      Threshold: 5000,
      TreatMissingData: 'notBreaching',
    });
    expect(reads(alarm('KafkaDiskUse'), 'MAX([b1, b2])', '"MetricName":"KafkaDataLogsDiskUsed"')).toBe(true);
  });

  it('lets the ClickHouse host publish its disk use, and only in the Spate namespace', () => {
    const [lt] = resourcesOf(dev.template, 'AWS::EC2::LaunchTemplate', 'WarehouseLaunchTemplate');
    expect(json(lt![1].Properties.LaunchTemplateData)).toContain('amazon-cloudwatch-agent-ctl');
    const policies = resourcesOf(dev.template, 'AWS::IAM::Policy', 'WarehouseInstanceRole');
    expect(json(policies)).toContain('"Condition":{"StringEquals":{"cloudwatch:namespace":"Spate"}}');
  });
});

describe('ECS services that can be rolled and torn down', () => {
  it('gives every container a hard memory limit that fits its host, above its reservation', () => {
    const r = resources(dev);
    const hostMemory: Record<string, number> = { WarehouseTask: 4 * 1024, NlpTask: 16 * 1024 };
    for (const [taskId, task] of Object.entries(r).filter(([, x]) => x.Type === 'AWS::ECS::TaskDefinition')) {
      const host = Object.entries(hostMemory).find(([prefix]) => taskId.startsWith(prefix))?.[1];
      expect(host, taskId).toBeDefined();
      for (const c of task.Properties.ContainerDefinitions as {
        Memory?: number;
        MemoryReservation?: number;
      }[]) {
        expect(c.Memory, taskId).toBeGreaterThan(c.MemoryReservation ?? 0);
        // The ECS agent and the OS keep part of the host.
        expect(c.Memory!, taskId).toBeLessThan(host!);
      }
    }
  });

  it('lets instances go without waiting on protection, and a GPU rollout start its new task first', () => {
    for (const [, p] of resourcesOf(dev.template, 'AWS::ECS::CapacityProvider'))
      expect(json(p.Properties.AutoScalingGroupProvider)).toContain(
        '"ManagedTerminationProtection":"DISABLED"',
      );
    const [, nlp] = resourcesOf(dev.template, 'AWS::ECS::Service', 'NlpService')[0]!;
    expect(nlp.Properties.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 100 });
    const [, gpu] = resourcesOf(dev.template, 'AWS::AutoScaling::AutoScalingGroup', 'NlpGpuInstances')[0]!;
    expect(Number(gpu.Properties.MaxSize)).toBe(DEV_CONFIG.nlp.maxTasks + 1);
  });
});
