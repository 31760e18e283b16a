/**
 * The filtered tiles' window: from the start of the minute five minutes ago to now, whole
 * minutes, as the live breakdowns count "the last 5 minutes". The query API answers such a
 * window for one filter from the hot tier's live breakdowns, in a few milliseconds
 * (core/query/hot-filtered-overview.ts); a window that starts inside a minute is the warm
 * tier's. index.html asks for the same window for a filtered link's first paint.
 */
export function liveWindowStartMs(nowMs: number): number {
  return Math.floor((nowMs - 5 * 60_000) / 60_000) * 60_000;
}
