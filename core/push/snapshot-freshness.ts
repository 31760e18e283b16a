/**
 * How recent a recorded snapshot must be for the query API to serve it as the live numbers
 * (a dashboard's first paint): two push intervals and some slack.
 */
export const FRESH_SNAPSHOT_MS = 2000;

/**
 * How often the broadcaster records the channels nobody watches. Twice per freshness span, so
 * while events flow a first visitor's snapshot is one small read, never the few hundred reads
 * of computing every panel, which is what made first paint slow on a busy machine.
 */
export const UNWATCHED_REFRESH_MS = FRESH_SNAPSHOT_MS / 2;
