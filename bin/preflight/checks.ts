import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { KafkaClient, ListKafkaVersionsCommand } from '@aws-sdk/client-kafka';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SpateConfig } from '../../lib/config.ts';
import { GPU_QUOTA_CODES, gpuVcpusNeeded } from '../../lib/config-validation.ts';
import { INSTANCE_SPECS } from '../../lib/instance-types.ts';

export type CheckStatus = 'pass' | 'warning' | 'blocker';

/** One row of the preflight report: what was checked, what was found, and what to do about it. */
export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

export interface PreflightClients {
  readonly quotas: ServiceQuotasClient;
  readonly apiGateway: APIGatewayClient;
  readonly kafka: KafkaClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
}

export function preflightClients(region: string): PreflightClients {
  return {
    quotas: new ServiceQuotasClient({ region }),
    apiGateway: new APIGatewayClient({ region }),
    kafka: new KafkaClient({ region }),
    ec2: new EC2Client({ region }),
    ssm: new SSMClient({ region }),
  };
}

/** The default bootstrap qualifier: `cdk bootstrap` records its template version here. */
export const BOOTSTRAP_VERSION_PARAMETER = '/cdk-bootstrap/hnb659fds/version';
/** The oldest bootstrap stack the CDK CLI of this repository deploys with. */
export const MIN_BOOTSTRAP_VERSION = 6;

const errorName = (err: unknown) => (err as { name?: string }).name ?? String(err);

async function gpuQuota(config: SpateConfig, region: string, c: PreflightClients): Promise<CheckResult> {
  const n = config.nlp;
  const quota = n.spot ? GPU_QUOTA_CODES.spot : GPU_QUOTA_CODES.onDemand;
  const check = `GPU quota: ${quota.name}`;
  const needed = gpuVcpusNeeded(n);
  const perHost = INSTANCE_SPECS[n.instanceType]?.vcpus ?? 0;
  const fix = `aws service-quotas request-service-quota-increase --region ${region} --service-code ec2 --quota-code ${quota.code} --desired-value ${needed}`;
  const answer = await c.quotas.send(
    new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: quota.code }),
  );
  const have = answer.Quota?.Value ?? 0;
  if (have >= needed)
    return { check, status: 'pass', detail: `${have} vCPUs, ${needed} needed (${n.instanceType})` };
  // Fewer than one host: no task ever starts (prod's first task never stabilises the deploy).
  const atLeastOne = Math.max(1, n.minTasks) * perHost;
  return {
    check,
    status: have < atLeastOne ? 'blocker' : 'warning',
    detail: `${have} vCPUs; up to ${needed} needed for ${n.maxTasks + 1} x ${n.instanceType}${have < atLeastOne ? `, and ${atLeastOne} for the first task` : ''}`,
    fix,
  };
}

async function apiGatewayRole(config: SpateConfig, c: PreflightClients): Promise<CheckResult> {
  const check = 'API Gateway CloudWatch Logs role';
  const role = (await c.apiGateway.send(new GetAccountCommand({}))).cloudwatchRoleArn;
  if (config.apiGatewayCloudWatchRole === 'create')
    return role
      ? {
          check,
          status: 'warning',
          detail: `the account has ${role}; the stack sets its own role in its place`,
          fix: 'set apiGatewayCloudWatchRole to "existing" to keep the account\'s role',
        }
      : {
          check,
          status: 'pass',
          detail: 'none yet; the stack creates it (apiGatewayCloudWatchRole "create")',
        };
  return role
    ? { check, status: 'pass', detail: role }
    : {
        check,
        status: 'blocker',
        detail:
          'the account has none, and apiGatewayCloudWatchRole is "existing": the WebSocket stage would fail',
        fix: 'set apiGatewayCloudWatchRole to "create"',
      };
}

async function kafkaVersion(config: SpateConfig, c: PreflightClients): Promise<CheckResult> {
  const check = 'MSK Kafka version';
  const s = config.streaming;
  if (s.mode !== 'provisioned')
    return { check, status: 'pass', detail: 'MSK Serverless: no version to choose' };
  const offered = ((await c.kafka.send(new ListKafkaVersionsCommand({}))).KafkaVersions ?? [])
    .filter((v) => v.Status === 'ACTIVE')
    .map((v) => v.Version!);
  return offered.includes(s.kafkaVersion)
    ? { check, status: 'pass', detail: `${s.kafkaVersion} is offered` }
    : {
        check,
        status: 'blocker',
        detail: `${s.kafkaVersion} is not among the versions MSK offers here: ${offered.join(', ')}`,
        fix: 'set streaming.kafkaVersion to an offered version (lib/streaming/kafka-versions.ts lists the supported ones)',
      };
}

/** The zones the stack will use: the named ones, or what Fn::GetAZs gives (the region's first, in order). */
async function zonesOf(config: SpateConfig, c: PreflightClients): Promise<string[]> {
  if (config.availabilityZones) return [...config.availabilityZones];
  const zones = await c.ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
  );
  return (zones.AvailabilityZones ?? [])
    .filter((z) => z.State === 'available')
    .map((z) => z.ZoneName!)
    .sort()
    .slice(0, config.maxAzs);
}

async function instanceOfferings(config: SpateConfig, c: PreflightClients): Promise<CheckResult[]> {
  const zones = await zonesOf(config, c);
  const types = [config.nlp.instanceType];
  if (config.warehouse.mode === 'self-hosted') types.push(config.warehouse.instanceType);
  const answer = await c.ec2.send(
    new DescribeInstanceTypeOfferingsCommand({
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'instance-type', Values: types },
        { Name: 'location', Values: zones },
      ],
    }),
  );
  const offeredIn = (type: string) =>
    (answer.InstanceTypeOfferings ?? [])
      .filter((o) => o.InstanceType === type && zones.includes(o.Location!))
      .map((o) => o.Location!);
  const named = config.availabilityZones ? 'availabilityZones' : 'the first zones (availabilityZones unset)';
  const results: CheckResult[] = [];
  const gpu = offeredIn(config.nlp.instanceType);
  results.push(
    gpu.length === zones.length
      ? {
          check: `${config.nlp.instanceType} in ${zones.join(', ')}`,
          status: 'pass',
          detail: 'offered in every zone',
        }
      : {
          check: `${config.nlp.instanceType} in ${zones.join(', ')}`,
          status: gpu.length === 0 ? 'blocker' : 'warning',
          detail: `offered only in ${gpu.join(', ') || 'none'} of ${named}`,
          fix: 'name zones that offer it in availabilityZones',
        },
  );
  if (config.warehouse.mode === 'self-hosted') {
    // ClickHouse and its data volume live in the first zone.
    const first = zones[0]!;
    const type = config.warehouse.instanceType;
    results.push(
      offeredIn(type).includes(first)
        ? { check: `${type} in ${first}`, status: 'pass', detail: 'ClickHouse host offered in its zone' }
        : {
            check: `${type} in ${first}`,
            status: 'blocker',
            detail: `not offered in ${first}, where the ClickHouse host and its data volume go`,
            fix: 'put a zone that offers it first in availabilityZones, or pick another warehouse.instanceType',
          },
    );
  }
  return results;
}

async function bootstrap(region: string, c: PreflightClients): Promise<CheckResult> {
  const check = 'CDK bootstrap';
  const fix = `npx cdk bootstrap aws://<account id>/${region}`;
  try {
    const answer = await c.ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
    const version = Number(answer.Parameter?.Value);
    return version >= MIN_BOOTSTRAP_VERSION
      ? { check, status: 'pass', detail: `bootstrap version ${version}` }
      : {
          check,
          status: 'blocker',
          detail: `bootstrap version ${version} is older than ${MIN_BOOTSTRAP_VERSION}`,
          fix,
        };
  } catch (err) {
    if (errorName(err) === 'ParameterNotFound')
      return { check, status: 'blocker', detail: `${region} is not bootstrapped`, fix };
    throw err;
  }
}

/** Every check, each on its own: one failing call is a row of its own, not the end of the report. */
export async function runPreflight(
  config: SpateConfig,
  region: string,
  clients: PreflightClients,
): Promise<CheckResult[]> {
  const guarded = async (check: string, run: () => Promise<CheckResult | CheckResult[]>) => {
    try {
      const r = await run();
      return Array.isArray(r) ? r : [r];
    } catch (err) {
      return [{ check, status: 'warning' as const, detail: `could not check: ${errorName(err)}` }];
    }
  };
  const rows = await Promise.all([
    guarded('GPU quota', () => gpuQuota(config, region, clients)),
    guarded('API Gateway CloudWatch Logs role', () => apiGatewayRole(config, clients)),
    guarded('MSK Kafka version', () => kafkaVersion(config, clients)),
    guarded('Instance types in the zones', () => instanceOfferings(config, clients)),
    guarded('CDK bootstrap', () => bootstrap(region, clients)),
  ]);
  return rows.flat();
}

/** One line per check: status, check, what was found, and the fix where there is one. */
export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  return results
    .map((r) => {
      const line = `${r.status.toUpperCase().padEnd(7)}  ${r.check.padEnd(width)}  ${r.detail}`;
      return r.fix ? `${line}\n${' '.repeat(9 + width + 2)}fix: ${r.fix}` : line;
    })
    .join('\n');
}
