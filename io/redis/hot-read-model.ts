/**
 * The hot tier's one read model: every read of what the hot aggregators wrote to Redis, for
 * the query API (lambdas/query), the push side (io/push) and the truth tests alike, so a test
 * that checks the hot tier's numbers reads them the way a dashboard gets them. Each concept
 * has its own small file under hot-reads/ (journeys and live sessions in journey-reads.ts and
 * session-reads.ts beside it); the key scheme is core/aggregation/redis-keys.ts.
 */

export { hotReader } from './hot-reader.ts';
export { readBreakdownMinutes, readValueMinutes } from './hot-reads/breakdowns.ts';
export {
  type CounterBucket,
  counterBuckets,
  readCounterHashes,
  readSecondCounters,
} from './hot-reads/counters.ts';
export { readFunnelMinutes, readProjectFunnelMinutes } from './hot-reads/funnels.ts';
export { type GateName, readHighWaters } from './hot-reads/gates.ts';
export { lastSeconds, type SecondRange } from './hot-reads/replies.ts';
export { readAlertMinutes, readHashtagWindow, readTweetMinutes } from './hot-reads/tweets.ts';
export { countActiveNow, countVisitors } from './hot-reads/visitors.ts';
export { readWindowTally } from './hot-reads/windows.ts';
export { type Journey, pathsPerHour, readTopJourneys, type TopJourneys } from './journey-reads.ts';
export { readLiveSessions, readSessionMinutes } from './session-reads.ts';
