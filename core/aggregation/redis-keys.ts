/**
 * The hot tier's key scheme, in one place so the aggregators and the query layer agree.
 *
 * | key                              | type  | holds                                              | expires          |
 * |----------------------------------|-------|----------------------------------------------------|------------------|
 * | {sp}:{p}:c:s:{sec}                 | hash  | t:{type} counts, ord (orders), rev:{CUR} (cents)   | bucket end + 24 h|
 * | {sp}:{p}:c:m:{min}                 | hash  | the same, per minute (cheap long-range reads)      | bucket end + 24 h|
 * | {sp}:{p}:u:m:{min} / u:h / u:d     | HLL   | visitors (bots excluded) per minute / hour / day   | bucket end + 24 h|
 * | {sp}:{p}:w:{kind}:{b10}            | zset  | top-N members per 10-s bucket (see WINDOW_KINDS)   | bucket end + 24 h|
 * | {sp}:{p}:w:rv:{b10}                | hash  | revenue per currency (cents) per 10-s bucket       | bucket end + 24 h|
 * | {sp}:{p}:f:m:{min}                 | hash  | funnel: field = step index, value = users reaching | bucket end + 24 h|
 * | {sp}:{p}:f:u:{visitor}             | string| funnel progress `step:startedMs`                   | session end      |
 * | {sp}:{p}:rf:{id.rev}:m:{min}       | hash  | a run-time funnel's revision (project-funnel.ts): the same as f:m | bucket end + 24 h|
 * | {sp}:{p}:rf:{id.rev}:u:{visitor}   | string| progress in that revision, as f:u                  | session end      |
 * | {sp}:{p}:j:h:{hour}                | zset  | journeys `a > b > c` of length 3                   | bucket end + 24 h|
 * | {sp}:{p}:j:u:{visitor}             | string| the visitor's last two steps                        | 30 min idle      |
 * | {sp}:{p}:bd:{dimension}:{min}      | hash  | live breakdown, at most 50 values + other (breakdown-counters.ts) | bucket end + 10 min|
 * | {sp}:{p}:tw:m:{min}                | hash  | tweets: n, n:{label}, a (alerts); per topic t:{x}:n / t:{x}:s and hashtag h:{x}:n / h:{x}:s (score sum ×10⁴) | bucket end + 24 h|
 * | {sp}:{p}:tw:w:ht:{b10}             | zset  | hashtags per 10-s bucket (top-N window)            | bucket end + 24 h|
 * | {sp}:{p}:tw:al:{min}               | zset  | toxicity alerts: tweet id scored by risk           | bucket end + 24 h|
 * | {sp}:gate:{consumer}:{topic}:{part}| string| highest offset applied by that consumer            | never            |
 * | {sp}:dd:{topic}:{part}             | hash  | dedup directory: segment `gen.seg` -> shard bits, `gen.seg.n` -> ids | newest segment's expiry |
 * | {sp}:dd:{topic}:{part}:{gen.seg}:{shard} | hash | first sights: 12-byte id digest -> offset (mod 2^31) | generation end + dedup window |
 * | {sp}:dd:{topic}:{part}:v:{chunk}   | string| a byte per offset: counted `c` or copy `d` (506 offsets a chunk) | generation end + dedup window |
 * | {sp}:q:{hash}                      | string| cached query result                                | a few seconds    |
 * | {sp}:qs:{hour}                     | hash  | query cache lookups of the hour: hit, miss         | bucket end + 24 h|
 *
 * Every key starts with the hash tag {sp}: ElastiCache Serverless runs in cluster mode, where
 * one Lua call or MULTI may only touch keys of one slot, and a batch's atomic step spans
 * counters, windows and its offset gate. One slot is plenty at Spate's command rate, since a
 * batch costs a constant number of round trips, not one per event.
 *
 * Bucket numbers are epoch seconds of the bucket start (minutes/hours/days too), so a key's
 * age is readable from its name. The gate key has no TTL: it must outlive every bucket.
 */
export const WINDOW_KINDS = {
  /** product views (page views carrying a product) */
  productViews: 'pv',
  addToCarts: 'pc',
  /** purchased units per product */
  purchases: 'pp',
  pages: 'pg',
  referrers: 'rf',
} as const;
export type WindowKind = (typeof WINDOW_KINDS)[keyof typeof WINDOW_KINDS];

export type UniqueGrain = 'm' | 'h' | 'd';
export type CounterGrain = 's' | 'm';

/** The hash tag every key of the hot tier and the push side starts with. */
export const KEY_ROOT = '{sp}';

export const redisKeys = {
  counters: (project: string, grain: CounterGrain, bucket: number) =>
    `${KEY_ROOT}:${project}:c:${grain}:${bucket}`,
  uniques: (project: string, grain: UniqueGrain, bucket: number) =>
    `${KEY_ROOT}:${project}:u:${grain}:${bucket}`,
  window: (project: string, kind: WindowKind, bucket: number) => `${KEY_ROOT}:${project}:w:${kind}:${bucket}`,
  windowRevenue: (project: string, bucket: number) => `${KEY_ROOT}:${project}:w:rv:${bucket}`,
  funnelSteps: (project: string, minute: number) => `${KEY_ROOT}:${project}:f:m:${minute}`,
  funnelProgress: (project: string, visitor: string) => `${KEY_ROOT}:${project}:f:u:${visitor}`,
  projectFunnelSteps: (project: string, revision: string, minute: number) =>
    `${KEY_ROOT}:${project}:rf:${revision}:m:${minute}`,
  projectFunnelProgress: (project: string, revision: string, visitor: string) =>
    `${KEY_ROOT}:${project}:rf:${revision}:u:${visitor}`,
  journeys: (project: string, hour: number) => `${KEY_ROOT}:${project}:j:h:${hour}`,
  journeyTrail: (project: string, visitor: string) => `${KEY_ROOT}:${project}:j:u:${visitor}`,
  tweetMinute: (project: string, minute: number) => `${KEY_ROOT}:${project}:tw:m:${minute}`,
  tweetHashtags: (project: string, bucket: number) => `${KEY_ROOT}:${project}:tw:w:ht:${bucket}`,
  tweetAlerts: (project: string, minute: number) => `${KEY_ROOT}:${project}:tw:al:${minute}`,
  gate: (consumer: string, topic: string, partition: number) =>
    `${KEY_ROOT}:gate:${consumer}:${topic}:${partition}`,
  cachedQuery: (hash: string) => `${KEY_ROOT}:q:${hash}`,
  queryCacheLookups: (hour: number) => `${KEY_ROOT}:qs:${hour}`,
  dedupDirectory: (topic: string, partition: number) => `${KEY_ROOT}:dd:${topic}:${partition}`,
  dedupVerdicts: (topic: string, partition: number, chunk: number) =>
    `${KEY_ROOT}:dd:${topic}:${partition}:v:${chunk}`,
  dedupShard: (topic: string, partition: number, segment: string, shard: number) =>
    `${KEY_ROOT}:dd:${topic}:${partition}:${segment}:${shard.toString(16)}`,
} as const;

/** Counter hash fields. */
export const counterFields = {
  type: (type: string) => `t:${type}`,
  orders: 'ord',
  revenue: (currency: string) => `rev:${currency}`,
} as const;
