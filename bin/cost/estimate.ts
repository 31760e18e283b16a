import type { SpateConfig } from '../../lib/config.ts';
import { PRICES } from './price-table.ts';

/** One priced line: what, how many, at what unit price, and what it comes to per month. */
export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly monthly: number;
}

export interface CostEstimate {
  readonly env: string;
  readonly pricesAsOf: string;
  readonly idle: readonly CostLine[];
  readonly idleTotal: number;
  /** The stated traffic (events per hour), the lines it adds, and the cost per million events. */
  readonly traffic: {
    readonly eventsPerHour: number;
    readonly lines: readonly CostLine[];
    readonly total: number;
    readonly perMillionEvents: number;
  };
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface TrafficAssumptions {
  readonly eventsPerHour: number;
  /** Average event size on the wire and in Kafka. @default 1 KB */
  readonly eventBytes?: number;
  /** Events per ingest request (SDK batches). @default 100 */
  readonly eventsPerRequest?: number;
}

const H = PRICES.hoursPerMonth;
const usd = (n: number) => `$${n >= 1 ? n.toFixed(2) : String(Number(n.toPrecision(3)))}`;
const round = (n: number) => Math.round(n * 100) / 100;

function priceOf(table: Record<string, number>, key: string, what: string): number {
  const p = table[key];
  if (p === undefined) throw new Error(`no ${what} price for ${key} in bin/cost/price-table.ts`);
  return p;
}

/**
 * Prices a synthesized Spate template, line by line: what bills while idle (hourly resources,
 * minimum capacity, per-resource monthly fees), then what the stated traffic adds.
 */
export function estimateCost(
  template: { Resources: Record<string, Resource> },
  config: SpateConfig,
  traffic: TrafficAssumptions,
): CostEstimate {
  const all = Object.values(template.Resources);
  const ofType = (t: string) => all.filter((r) => r.Type === t);
  const props = (r: Resource) => r.Properties ?? {};
  const idle: CostLine[] = [];
  const add = (item: string, count: number, unit: number, per: string, monthly: number) => {
    if (count > 0)
      idle.push({ item, quantity: String(count), unitPrice: `${usd(unit)}/${per}`, monthly: round(monthly) });
  };

  const nats = ofType('AWS::EC2::NatGateway').length;
  add('NAT gateway', nats, PRICES.natGatewayHour, 'h', nats * PRICES.natGatewayHour * H);
  const ips = ofType('AWS::EC2::EIP').length;
  add('Public IPv4 address (NAT)', ips, PRICES.publicIpv4Hour, 'h', ips * PRICES.publicIpv4Hour * H);
  const endpointAzs = ofType('AWS::EC2::VPCEndpoint')
    .filter((e) => props(e).VpcEndpointType === 'Interface')
    .reduce((n, e) => n + ((props(e).SubnetIds as unknown[]) ?? []).length, 0);
  add(
    'Interface VPC endpoint (per AZ)',
    endpointAzs,
    PRICES.interfaceEndpointAzHour,
    'h',
    endpointAzs * PRICES.interfaceEndpointAzHour * H,
  );

  const partitions = ofType('Custom::SpateTopics')
    .flatMap((t) => props(t).Topics as { Partitions: string }[])
    .reduce((n, t) => n + Number(t.Partitions), 0);
  const serverless = ofType('AWS::MSK::ServerlessCluster').length;
  add(
    'MSK Serverless cluster',
    serverless,
    PRICES.mskServerlessClusterHour,
    'h',
    serverless * PRICES.mskServerlessClusterHour * H,
  );
  if (serverless > 0)
    add(
      'MSK Serverless partition',
      partitions,
      PRICES.mskServerlessPartitionHour,
      'h',
      partitions * PRICES.mskServerlessPartitionHour * H,
    );
  for (const c of ofType('AWS::MSK::Cluster')) {
    const p = props(c);
    const brokers = Number(p.NumberOfBrokerNodes);
    const info = p.BrokerNodeGroupInfo as {
      InstanceType: string;
      StorageInfo: { EBSStorageInfo: { VolumeSize: number } };
    };
    const hour = priceOf(PRICES.mskBrokerHour, info.InstanceType, 'MSK broker');
    add(`MSK broker ${info.InstanceType}`, brokers, hour, 'h', brokers * hour * H);
    const gb = brokers * info.StorageInfo.EBSStorageInfo.VolumeSize;
    add('MSK broker storage (GB)', gb, PRICES.mskStorageGbMonth, 'GB-month', gb * PRICES.mskStorageGbMonth);
  }

  const caches = ofType('AWS::ElastiCache::ServerlessCache').length;
  add(
    'ElastiCache Serverless (100 MB minimum)',
    caches,
    PRICES.elasticacheServerlessGbHour,
    'GB-h',
    caches * PRICES.elasticacheServerlessMinGb * PRICES.elasticacheServerlessGbHour * H,
  );
  for (const g of ofType('AWS::ElastiCache::ReplicationGroup')) {
    const p = props(g);
    const nodes = Number(p.NumGroups ?? p.NumNodeGroups ?? 1) * (Number(p.ReplicasPerNodeGroup ?? 0) + 1);
    const hour = priceOf(PRICES.cacheNodeHour, p.CacheNodeType as string, 'cache node');
    add(`ElastiCache ${p.CacheNodeType as string}`, nodes, hour, 'h', nodes * hour * H);
  }

  // EC2 hosts running while idle: each group's minimum, and for the GPU group the service's minimum tasks.
  const templates = new Map(
    Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::EC2::LaunchTemplate'),
  );
  for (const g of ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const ref = (props(g).LaunchTemplate as { LaunchTemplateId: { Ref: string } }).LaunchTemplateId.Ref;
    const data = props(templates.get(ref)!).LaunchTemplateData as {
      InstanceType: string;
      InstanceMarketOptions?: unknown;
      BlockDeviceMappings?: { Ebs?: { VolumeSize?: number } }[];
    };
    const gpu = data.InstanceType === config.nlp.instanceType;
    const hosts = gpu ? config.nlp.minTasks : Number(props(g).MinSize);
    const spot = data.InstanceMarketOptions !== undefined;
    const hour = priceOf(
      spot ? PRICES.ec2SpotHour : PRICES.ec2Hour,
      data.InstanceType,
      spot ? 'Spot' : 'EC2',
    );
    add(
      `EC2 ${data.InstanceType}${spot ? ' Spot' : ''}${gpu ? ' (NLP)' : ' (ClickHouse)'}`,
      hosts,
      hour,
      'h',
      hosts * hour * H,
    );
    const rootGb = hosts * (data.BlockDeviceMappings ?? []).reduce((n, b) => n + (b.Ebs?.VolumeSize ?? 0), 0);
    add(
      `EBS gp3 root volumes (GB, ${data.InstanceType})`,
      rootGb,
      PRICES.ebsGp3GbMonth,
      'GB-month',
      rootGb * PRICES.ebsGp3GbMonth,
    );
  }
  const volumeGb = ofType('AWS::EC2::Volume').reduce((n, v) => n + Number(props(v).Size), 0);
  add(
    'EBS gp3 ClickHouse data (GB)',
    volumeGb,
    PRICES.ebsGp3GbMonth,
    'GB-month',
    volumeGb * PRICES.ebsGp3GbMonth,
  );

  // Each mapping fills units of its own, or its group's units together with the other members.
  const pollersByUnitOwner = new Map<string, number>();
  ofType('AWS::Lambda::EventSourceMapping').forEach((m, i) => {
    const config = props(m).ProvisionedPollerConfig as
      | { MinimumPollers?: number; PollerGroupName?: string }
      | undefined;
    if (!config) return;
    const owner = config.PollerGroupName ?? `mapping ${i}`;
    pollersByUnitOwner.set(owner, (pollersByUnitOwner.get(owner) ?? 0) + (config.MinimumPollers ?? 1));
  });
  const units = [...pollersByUnitOwner.values()].reduce(
    (n, p) => n + Math.ceil(p / PRICES.pollersPerEventPollerUnit),
    0,
  );
  const mappings = ofType('AWS::Lambda::EventSourceMapping').length;
  add(
    `Event poller units (provisioned mode, ${mappings} mappings${pollersByUnitOwner.size < mappings ? ' in one group' : ''})`,
    units,
    PRICES.eventPollerUnitHour,
    'h',
    units * PRICES.eventPollerUnitHour * H,
  );

  const keys = ofType('AWS::KMS::Key').length;
  add('KMS keys', keys, PRICES.kmsKeyMonth, 'month', keys * PRICES.kmsKeyMonth);
  const secrets = ofType('AWS::SecretsManager::Secret').length;
  add('Secrets Manager secrets', secrets, PRICES.secretMonth, 'month', secrets * PRICES.secretMonth);
  const alarmMetrics = ofType('AWS::CloudWatch::Alarm').reduce(
    (n, a) =>
      n +
      Math.max(
        1,
        ((props(a).Metrics as { MetricStat?: unknown }[]) ?? []).filter((m) => m.MetricStat).length,
      ),
    0,
  );
  add(
    'CloudWatch alarm metrics',
    alarmMetrics,
    PRICES.alarmMetricMonth,
    'month',
    alarmMetrics * PRICES.alarmMetricMonth,
  );
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  add(
    'CloudWatch dashboards',
    dashboards,
    PRICES.dashboardMonth,
    'month',
    dashboards * PRICES.dashboardMonth,
  );
  const idleTotal = round(idle.reduce((n, l) => n + l.monthly, 0));

  return {
    env: config.name,
    pricesAsOf: PRICES.asOf,
    idle,
    idleTotal,
    traffic: trafficLines(all, config, traffic),
  };
}

/** What the stated traffic adds on top of idle: requests, function time and Kafka data. */
function trafficLines(all: Resource[], config: SpateConfig, t: TrafficAssumptions): CostEstimate['traffic'] {
  const eventBytes = t.eventBytes ?? 1024;
  const perRequest = t.eventsPerRequest ?? 100;
  const events = t.eventsPerHour * H;
  const requests = events / perRequest;
  const gb = (events * eventBytes) / 2 ** 30;
  const lines: CostLine[] = [];
  const add = (item: string, quantity: string, unitPrice: string, monthly: number) =>
    lines.push({ item, quantity, unitPrice, monthly: round(monthly) });
  add(
    'Ingest API requests',
    `${(requests / 1e6).toFixed(1)} M`,
    `${usd(PRICES.httpApiMillionRequests)}/M`,
    (requests / 1e6) * PRICES.httpApiMillionRequests,
  );
  // Ingest: one invocation per request, ~50 ms at its memory size.
  const ingestGbS = requests * 0.05 * (config.ingest.memoryMiB / 1024);
  add(
    'Ingest function',
    `${(requests / 1e6).toFixed(1)} M invocations`,
    `${usd(PRICES.lambdaArmGbSecond)}/GB-s`,
    ingestGbS * PRICES.lambdaArmGbSecond + (requests / 1e6) * PRICES.lambdaMillionRequests,
  );
  // Aggregators: each mapping reads every event of its topic in batches of its size, ~200 ms a batch at 1 GB.
  const mappings = all.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  const batches = mappings.reduce((n, m) => n + events / Number(m.Properties?.BatchSize ?? 100), 0);
  add(
    'Aggregator functions',
    `${(batches / 1e6).toFixed(1)} M batches`,
    `${usd(PRICES.lambdaArmGbSecond)}/GB-s`,
    batches * 0.2 * PRICES.lambdaArmGbSecond + (batches / 1e6) * PRICES.lambdaMillionRequests,
  );
  if (config.streaming.mode === 'serverless') {
    add(
      'MSK Serverless data in',
      `${gb.toFixed(0)} GB`,
      `${usd(PRICES.mskServerlessGbIn)}/GB`,
      gb * PRICES.mskServerlessGbIn,
    );
    add(
      'MSK Serverless data out',
      `${(gb * mappings.length).toFixed(0)} GB`,
      `${usd(PRICES.mskServerlessGbOut)}/GB`,
      gb * mappings.length * PRICES.mskServerlessGbOut,
    );
  }
  // The archive writes one object per partition batch (~a few per second overall).
  const puts = (H * 3600 * 2) / 1000;
  add(
    'Archive S3 writes',
    `${puts.toFixed(0)} k PUT`,
    `${usd(PRICES.s3PutThousand)}/k`,
    puts * PRICES.s3PutThousand,
  );
  if (config.natGateways > 0 && !config.interfaceEndpoints)
    // Without interface endpoints, AWS API calls (logs, metrics, secrets) leave through NAT: ~5% of the event bytes.
    add(
      'NAT data (AWS APIs, ~5% of event bytes)',
      `${(gb * 0.05).toFixed(0)} GB`,
      `${usd(PRICES.natGatewayGb)}/GB`,
      gb * 0.05 * PRICES.natGatewayGb,
    );
  const total = round(lines.reduce((n, l) => n + l.monthly, 0));
  return { eventsPerHour: t.eventsPerHour, lines, total, perMillionEvents: round(total / (events / 1e6)) };
}

/** The estimate as the Markdown table docs/deploy.md carries. */
export function costMarkdown(e: CostEstimate): string {
  const row = (l: CostLine) => `| ${l.item} | ${l.quantity} | ${l.unitPrice} | $${l.monthly.toFixed(2)} |`;
  return [
    `Spate-${e.env}, us-east-1 list prices as of ${e.pricesAsOf}, per month (730 h):`,
    '',
    '| item | quantity | unit price | per month |',
    '|---|---:|---:|---:|',
    ...e.idle.map(row),
    `| **idle total** | | | **$${e.idleTotal.toFixed(2)}** |`,
    ...e.traffic.lines.map(row),
    `| **at ${(e.traffic.eventsPerHour / 1e6).toFixed(0)}M events/h: idle + traffic** | | | **$${(e.idleTotal + e.traffic.total).toFixed(2)}** |`,
    '',
    `Traffic adds $${e.traffic.total.toFixed(2)}, $${e.traffic.perMillionEvents.toFixed(2)} per million events on top of idle.`,
  ].join('\n');
}
