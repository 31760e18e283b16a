import { isOriginPattern } from '../core/limits/origin-policy.ts';
import { type NlpConfig, PRESETS, type SpateConfig } from './config.ts';
import { INSTANCE_SPECS } from './instance-types.ts';
import { isSupportedKafkaVersion, SUPPORTED_KAFKA_VERSIONS } from './streaming/kafka-versions.ts';

/** GPU hosts the NLP service may run at once: every task, and one more that a rollout starts first. */
export function gpuHostCeiling(n: NlpConfig): number {
  return n.maxTasks + 1;
}

/** vCPUs of G-instance quota the NLP service may use at its ceiling. */
export function gpuVcpusNeeded(n: NlpConfig): number {
  return gpuHostCeiling(n) * (INSTANCE_SPECS[n.instanceType]?.vcpus ?? 0);
}

/** Service Quotas codes of the G-instance vCPU quotas, per market. */
export const GPU_QUOTA_CODES = {
  onDemand: { code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances' },
  spot: { code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' },
} as const;

/** Log retention values CloudWatch accepts; anything else fails at deploy, so fail at synth. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

type Problem = string;

function positiveInt(problems: Problem[], field: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min)
    problems.push(`${field} must be an integer >= ${min} (got ${value})`);
}

/** Every rule of the configuration; all violations are reported at once, each naming its field. */
export function configProblems(c: SpateConfig): Problem[] {
  const problems: Problem[] = [];
  if (c.name !== 'dev' && c.name !== 'prod')
    problems.push(`name must be "dev" or "prod" (got ${String(c.name)})`);
  positiveInt(problems, 'maxAzs', c.maxAzs, 2);
  if (c.maxAzs > 3) problems.push(`maxAzs must be at most 3 (got ${c.maxAzs})`);
  positiveInt(problems, 'natGateways', c.natGateways, 1);
  if (c.availabilityZones !== undefined) {
    const zones = c.availabilityZones;
    if (!Array.isArray(zones) || zones.length !== c.maxAzs)
      problems.push(
        `availabilityZones must list exactly maxAzs (${c.maxAzs}) zones (got ${JSON.stringify(zones)})`,
      );
    else {
      if (zones.some((z) => typeof z !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(z)))
        problems.push(`availabilityZones must be zone names such as us-east-1a (got ${zones.join(', ')})`);
      else if (new Set(zones.map((z) => z.slice(0, -1))).size !== 1)
        problems.push(`availabilityZones must all be in one region (got ${zones.join(', ')})`);
      if (new Set(zones).size !== zones.length)
        problems.push(`availabilityZones must not repeat a zone (got ${zones.join(', ')})`);
    }
  }
  if (typeof c.sharedPollerGroup !== 'boolean')
    problems.push(`sharedPollerGroup must be true or false (got ${String(c.sharedPollerGroup)})`);
  if (c.apiGatewayCloudWatchRole !== 'create' && c.apiGatewayCloudWatchRole !== 'existing')
    problems.push(
      `apiGatewayCloudWatchRole must be "create" or "existing" (got ${String(c.apiGatewayCloudWatchRole)}): WebSocket access logging needs the account's API Gateway CloudWatch Logs role`,
    );
  if (c.natGateways > c.maxAzs)
    problems.push(`natGateways must not exceed maxAzs (${c.natGateways} > ${c.maxAzs})`);

  const s = c.streaming;
  if (s.mode === 'provisioned') {
    if (!/^kafka\.[a-z0-9]+\.[a-z0-9]+$/.test(s.brokerInstanceType))
      problems.push(
        `streaming.brokerInstanceType must look like kafka.m7g.large (got ${s.brokerInstanceType})`,
      );
    positiveInt(problems, 'streaming.brokerCount', s.brokerCount, 2);
    if (s.brokerCount % c.maxAzs !== 0)
      problems.push(
        `streaming.brokerCount must be a multiple of maxAzs (${s.brokerCount} % ${c.maxAzs} != 0)`,
      );
    positiveInt(problems, 'streaming.storageGiB', s.storageGiB, 1);
    if (!isSupportedKafkaVersion(s.kafkaVersion))
      problems.push(
        `streaming.kafkaVersion must be one MSK supports for new clusters: ${SUPPORTED_KAFKA_VERSIONS.join(', ')} (got ${s.kafkaVersion})`,
      );
    if (s.storageGiB > 16_384)
      problems.push(`streaming.storageGiB must be at most 16384 (got ${s.storageGiB})`);
  } else if (s.mode !== 'serverless') {
    problems.push(`streaming.mode must be "serverless" or "provisioned"`);
  }

  const h = c.hot;
  if (h.mode === 'serverless') {
    positiveInt(problems, 'hot.maxDataGiB', h.maxDataGiB, 1);
    positiveInt(problems, 'hot.maxEcpuPerSecond', h.maxEcpuPerSecond, 1000);
  } else if (h.mode === 'replication-group') {
    if (!h.nodeType.startsWith('cache.'))
      problems.push(`hot.nodeType must start with "cache." (got ${h.nodeType})`);
    positiveInt(problems, 'hot.replicas', h.replicas, 0);
    if (h.replicas > 5) problems.push(`hot.replicas must be at most 5 (got ${h.replicas})`);
  } else {
    problems.push(`hot.mode must be "serverless" or "replication-group"`);
  }

  const w = c.warehouse;
  if (w.mode === 'self-hosted') {
    if (!/^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/.test(w.instanceType))
      problems.push(
        `warehouse.instanceType must be a Graviton (ARM64) type such as r7g.xlarge (got ${w.instanceType})`,
      );
    else if (!INSTANCE_SPECS[w.instanceType])
      problems.push(`warehouse.instanceType must be one of ${knownTypes(false)} (got ${w.instanceType})`);
    positiveInt(problems, 'warehouse.dataVolumeGiB', w.dataVolumeGiB, 10);
    positiveInt(problems, 'warehouse.backupRetentionDays', w.backupRetentionDays, 1);
  } else if (w.mode === 'external') {
    if (!/^https:\/\/[^/\s]+/.test(w.url))
      problems.push(`warehouse.url must be an https:// URL (got ${w.url})`);
    if (!w.credentialsSecretName) problems.push('warehouse.credentialsSecretName must name a secret');
  } else {
    problems.push(`warehouse.mode must be "self-hosted" or "external"`);
  }

  const n = c.nlp;
  if (!/^g[56]\.[a-z0-9]+$/.test(n.instanceType))
    problems.push(`nlp.instanceType must be a g5 or g6 GPU instance type (got ${n.instanceType})`);
  else if (!INSTANCE_SPECS[n.instanceType])
    problems.push(`nlp.instanceType must be one of ${knownTypes(true)} (got ${n.instanceType})`);
  positiveInt(problems, 'nlp.minTasks', n.minTasks, 0);
  positiveInt(problems, 'nlp.maxTasks', n.maxTasks, 1);
  if (n.maxTasks < n.minTasks)
    problems.push(`nlp.maxTasks must be >= nlp.minTasks (${n.maxTasks} < ${n.minTasks})`);
  positiveInt(problems, 'nlp.lagPerTask', n.lagPerTask, 1);
  positiveInt(problems, 'nlp.gpuVcpuQuota', n.gpuVcpuQuota, 0);
  const needed = gpuVcpusNeeded(n);
  if (Number.isInteger(n.gpuVcpuQuota) && INSTANCE_SPECS[n.instanceType] && needed > n.gpuVcpuQuota) {
    const quota = n.spot ? GPU_QUOTA_CODES.spot : GPU_QUOTA_CODES.onDemand;
    problems.push(
      `nlp.gpuVcpuQuota is ${n.gpuVcpuQuota} vCPUs but up to ${gpuHostCeiling(n)} x ${n.instanceType} need ${needed}: ` +
        `request "${quota.name}" (${quota.code}) of at least ${needed} in Service Quotas, then set nlp.gpuVcpuQuota, or lower nlp.maxTasks`,
    );
  }

  const i = c.ingest;
  positiveInt(problems, 'ingest.rateLimit', i.rateLimit, 1);
  positiveInt(problems, 'ingest.burstLimit', i.burstLimit, 1);
  if (i.memoryMiB < 128 || i.memoryMiB > 10_240)
    problems.push(`ingest.memoryMiB must be between 128 and 10240 (got ${i.memoryMiB})`);
  if (typeof i.expectSteadyTraffic !== 'boolean')
    problems.push(`ingest.expectSteadyTraffic must be true or false (got ${String(i.expectSteadyTraffic)})`);
  for (const [project, origins] of Object.entries(i.corsOrigins ?? {}))
    for (const origin of origins)
      if (!isOriginPattern(origin))
        problems.push(
          `ingest.corsOrigins.${project} must list origins as scheme://host[:port] or "*" (got ${JSON.stringify(origin)})`,
        );
  if (i.domain && !/^arn:aws[a-z-]*:acm:/.test(i.domain.certificateArn))
    problems.push(
      `ingest.domain.certificateArn must be an ACM certificate ARN (got ${i.domain.certificateArn})`,
    );

  positiveInt(problems, 'archiveExpirationDays', c.archiveExpirationDays, 0);
  if (c.archiveExpirationDays !== 0 && c.archiveExpirationDays <= 90)
    problems.push(
      `archiveExpirationDays must be 0 (keep) or more than 90, after the Glacier Instant Retrieval transition (got ${c.archiveExpirationDays})`,
    );
  if (!LOG_RETENTION_DAYS.includes(c.logRetentionDays))
    problems.push(
      `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')} (got ${c.logRetentionDays})`,
    );
  if (c.alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.alarmEmail))
    problems.push(`alarmEmail must be an e-mail address (got ${c.alarmEmail})`);
  if (c.funnels !== undefined) {
    if (!isRecord(c.funnels)) problems.push('funnels must be an object of project -> list of steps');
    else
      for (const [project, steps] of Object.entries(c.funnels))
        if (!Array.isArray(steps) || steps.length < 2 || steps.some((s) => typeof s !== 'string' || s === ''))
          problems.push(`funnels.${project} must list at least two non-empty step names`);
  }
  return problems;
}

export function validateConfig(c: SpateConfig): SpateConfig {
  const problems = configProblems(c);
  if (problems.length > 0)
    throw new Error(`Invalid Spate configuration "${c.name}":\n  - ${problems.join('\n  - ')}`);
  return c;
}

/** The instance types of the spec table, GPU hosts or the others. */
function knownTypes(gpu: boolean): string {
  return Object.keys(INSTANCE_SPECS)
    .filter((t) => /^g\d/.test(t) === gpu)
    .join(', ');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Overrides replace whole sub-objects when the mode changes, so stale fields of the other mode never linger. */
function merge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override === undefined ? base : override;
  if ('mode' in override && override.mode !== base.mode) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = merge(base[k], v);
  return out;
}

/**
 * The configuration for `cdk deploy -c env=<name>`: the named preset, with the optional
 * context object `spate:<name>` (from cdk.json or -c) merged over it, then validated.
 */
export function resolveConfig(envName: unknown, override?: unknown): SpateConfig {
  const name = envName ?? 'dev';
  if (name !== 'dev' && name !== 'prod')
    throw new Error(`context env must be "dev" or "prod" (got ${String(name)})`);
  if (override !== undefined && !isRecord(override))
    throw new Error(`context spate:${name} must be an object of configuration overrides`);
  return validateConfig(merge(PRESETS[name], override ?? {}) as SpateConfig);
}
