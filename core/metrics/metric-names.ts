/**
 * Spate's own CloudWatch metrics, named once: the handlers emit them (Powertools Metrics, the NLP
 * worker's EMF lines, the ClickHouse host's CloudWatch agent) and the CDK constructs read them
 * back for alarms and scaling. A name that drifted on one side would leave an alarm watching
 * a metric nobody publishes, silent forever; test/infra/metric-names.test.ts holds both sides here.
 */

/** The CloudWatch namespace of every metric below (POWERTOOLS_METRICS_NAMESPACE of the functions). */
export const METRICS_NAMESPACE = 'Spate';

/** CloudWatch units, spelled as CloudWatch and Powertools' MetricUnit spell them. */
export type MetricUnitName = 'Count' | 'Bytes' | 'Percent' | 'Count/Second' | 'Milliseconds';

export interface SpateMetric {
  readonly name: string;
  readonly unit: MetricUnitName;
  /** The dimension names it is published with (Powertools adds `service`, the function's service name). */
  readonly dimensions: readonly string[];
}

/** The `service` dimension of the metrics whose publisher has one fixed name. */
export const METRIC_SERVICES = {
  ingest: 'spate-ingest',
  tweets: 'spate-tweets',
  broadcast: 'spate-broadcast',
  nlp: 'nlp',
} as const;

// The unit keeps its literal type: the NLP worker's EMF lines accept only the units they write.
const counted = <U extends MetricUnitName = 'Count'>(name: string, unit: U = 'Count' as U) => ({
  name,
  unit,
  dimensions: ['service'] as const,
});

export const SPATE_METRICS = {
  // Ingest (lambdas/ingest/observability.ts), service spate-ingest.
  eventsAccepted: counted('EventsAccepted'),
  /** Every rejected event is written to events.dlq with its reason. */
  eventsRejected: counted('EventsRejected'),
  rateLimitStoreFailures: counted('RateLimitStoreFailures'),
  // Hot aggregators (lambdas/hot-aggregator.ts), service the function's own.
  eventsApplied: counted('EventsApplied'),
  eventsSkippedAsApplied: counted('EventsSkippedAsApplied'),
  eventCopiesSkipped: counted('EventCopiesSkipped'),
  recordsUndecodable: counted('RecordsUndecodable'),
  // Tweet aggregator (lambdas/tweets/handler.ts), service spate-tweets.
  tweetsApplied: counted('TweetsApplied'),
  tweetCopiesSkipped: counted('TweetCopiesSkipped'),
  // Broadcaster (lambdas/broadcast/handler.ts), service spate-broadcast.
  pushErrors: counted('PushErrors'),
  recordsSeen: counted('RecordsSeen'),
  hotTierBehind: counted('HotTierBehind'),
  framesSent: counted('FramesSent'),
  connectionsGone: counted('ConnectionsGone'),
  /** Age of a batch's oldest event when its frames are pushed (core/push/frame-freshness.ts). */
  frameFreshness: counted('FrameFreshness', 'Milliseconds'),
  // Warm and cold writers, service spate-<feed>.
  warehouseRowsSent: counted('WarehouseRowsSent'),
  archivedEvents: counted('ArchivedEvents'),
  archivedBytes: counted('ArchivedBytes', 'Bytes'),
  // NLP worker's EMF lines (containers/nlp/emf.ts), service nlp.
  consumerLag: counted('ConsumerLag'),
  tweetsPerSecond: counted('TweetsPerSecond', 'Count/Second'),
  /** Tokens of the tweets a padded model was fed over the line's interval, all heads together. */
  realTokens: counted('RealTokens'),
  /** Tokens of the tensors it ran over the interval, padding included. */
  paddedTokens: counted('PaddedTokens'),
  /** (PaddedTokens - RealTokens) / PaddedTokens in percent; absent from a line when nothing ran. */
  paddingShare: counted('PaddingShare', 'Percent'),
  /** The ClickHouse host's CloudWatch agent (lib/warehouse): disk measurement used_percent. */
  diskUsedPercent: { name: 'disk_used_percent', unit: 'Percent', dimensions: ['path', 'fstype'] },
} as const;
/** Every metric above; typed here rather than by `satisfies` on the literal, which would widen each unit. */
export const ALL_SPATE_METRICS: readonly SpateMetric[] = Object.values(SPATE_METRICS);

export type SpateMetricKey = keyof typeof SPATE_METRICS;

/**
 * Ingest answers it refused, one metric per reason (`Refused_circuit_open`, ...): a family, not
 * one name, so it stays out of SPATE_METRICS; nothing alarms on it.
 */
export const refusedMetricName = (refusal: string): string => `Refused_${refusal}`;
