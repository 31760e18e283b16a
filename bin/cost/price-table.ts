/**
 * The unit prices `spate cost` multiplies, us-east-1, on-demand list prices in USD. One table,
 * dated: prices change, so re-read them from the AWS price list (aws pricing get-products, or
 * the service pricing pages) and change the date with them. Spot varies by hour; the figure
 * here is a typical one, not a quote.
 */
export const PRICES = {
  asOf: '2026-12-05',
  region: 'us-east-1',
  hoursPerMonth: 730,
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointAzHour: 0.01,
  mskServerlessClusterHour: 0.75,
  mskServerlessPartitionHour: 0.0015,
  mskServerlessGbIn: 0.1,
  mskServerlessGbOut: 0.05,
  mskBrokerHour: { 'kafka.t3.small': 0.0456, 'kafka.m7g.large': 0.204, 'kafka.m7g.xlarge': 0.408 } as Record<
    string,
    number
  >,
  mskStorageGbMonth: 0.1,
  elasticacheServerlessGbHour: 0.084,
  /** ElastiCache Serverless bills at least 100 MB of data. */
  elasticacheServerlessMinGb: 0.1,
  elasticacheServerlessMillionEcpu: 0.0023,
  cacheNodeHour: { 'cache.r7g.large': 0.1752, 'cache.t4g.small': 0.0256 } as Record<string, number>,
  ec2Hour: {
    't4g.medium': 0.0336,
    'r7g.xlarge': 0.2142,
    'g5.xlarge': 1.006,
    'g6.xlarge': 0.8048,
  } as Record<string, number>,
  ec2SpotHour: { 'g5.xlarge': 0.45, 'g6.xlarge': 0.39 } as Record<string, number>,
  ebsGp3GbMonth: 0.08,
  /**
   * Provisioned mode of a Kafka event source mapping: billed per event poller unit-hour while
   * the mapping exists, idle or not; a mapping keeps at least its minimum pollers, in units of
   * its own or of its poller group's.
   */
  eventPollerUnitHour: 0.185,
  /** Event pollers one unit holds; mappings of one poller group fill units together. */
  pollersPerEventPollerUnit: 10,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  alarmMetricMonth: 0.1,
  dashboardMonth: 3,
  lambdaArmGbSecond: 0.0000133334,
  lambdaMillionRequests: 0.2,
  httpApiMillionRequests: 1.0,
  s3PutThousand: 0.005,
} as const;
