/**
 * The Kafka topics of Spate, defined once. The CDK stack creates them on MSK, the local
 * broker creates them at start, and handlers name them from here.
 */
export interface TopicDefinition {
  readonly name: string;
  readonly partitions: number;
  /** How long records are kept; the broker deletes whole segments older than this. */
  readonly retentionMs: number;
  /** Per-partition size cap in bytes; -1 keeps everything the time limit allows. */
  readonly retentionBytes: number;
  /** What the record key is, so producers and readers agree on ordering. */
  readonly key: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const TOPICS = {
  eventsRaw: {
    name: 'events.raw',
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    retentionBytes: -1,
    key: 'user id (anonymous id if none)',
  },
  eventsDlq: {
    name: 'events.dlq',
    partitions: 1,
    retentionMs: 14 * DAY_MS,
    retentionBytes: -1,
    key: 'none',
  },
  tweetsRaw: {
    name: 'tweets.raw',
    partitions: 6,
    retentionMs: 3 * DAY_MS,
    retentionBytes: -1,
    key: 'language or first hashtag',
  },
  tweetsEnriched: {
    name: 'tweets.enriched',
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    retentionBytes: -1,
    key: 'tweet id',
  },
  tweetsAlerts: {
    name: 'tweets.alerts',
    partitions: 1,
    retentionMs: 7 * DAY_MS,
    retentionBytes: -1,
    key: 'tweet id',
  },
  mappingFailures: {
    name: 'spate.mapping-failures',
    partitions: 1,
    retentionMs: 14 * DAY_MS,
    retentionBytes: -1,
    key: 'source topic-partition',
  },
} as const satisfies Record<string, TopicDefinition>;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS]['name'];

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(TOPICS);

export function topicByName(name: string): TopicDefinition | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}
