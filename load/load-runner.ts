import { LatencyStats } from './latency-stats.ts';
import { type RateSchedule, rateAt } from './rate-schedule.ts';
import { ShopTraffic } from './traffic.ts';
import { TweetStream } from './tweet-stream.ts';

export interface LoadOptions {
  /** Base URL of a Spate endpoint. */
  readonly endpoint: string;
  readonly writeKey: string;
  /** Shop events per second. */
  readonly rate: number;
  /** Seconds; 0 runs until stopped. */
  readonly durationS: number;
  readonly users: number;
  readonly tweetsRate: number;
  readonly seed: number;
  readonly spike: boolean;
  /** Events per request. */
  readonly batchSize: number;
  /** Requests in flight at most; beyond it the generator falls behind rather than queueing. */
  readonly concurrency: number;
}

export interface StreamCounts {
  sent: number;
  accepted: number;
  rejected: number;
  /** Sent, but refused as a whole (429, 5xx, network): not in Kafka. */
  refused: number;
}

export interface LoadReport {
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly refused: number;
  readonly events_per_s: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly tweets: StreamCounts;
  readonly started_at: string;
  readonly ended_at: string;
}

export interface Progress {
  readonly elapsedS: number;
  readonly events: StreamCounts;
  readonly tweets: StreamCounts;
  readonly targetRate: number;
  readonly p99: number;
}

export interface RunHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly fetch?: typeof globalThis.fetch;
}

const TICK_MS = 20;

/** Sends shop events (and tweets) at the scheduled rate until the duration ends or `signal` aborts. */
export async function runLoad(options: LoadOptions, hooks: RunHooks = {}): Promise<LoadReport> {
  const doFetch = hooks.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.endpoint.replace(/\/+$/, '');
  const traffic = new ShopTraffic({ seed: options.seed, users: options.users });
  const tweetStream = new TweetStream(options.seed);
  const schedule: RateSchedule = { rate: options.rate, durationS: options.durationS, spike: options.spike };
  const events: StreamCounts = { sent: 0, accepted: 0, rejected: 0, refused: 0 };
  const tweets: StreamCounts = { sent: 0, accepted: 0, rejected: 0, refused: 0 };
  const latency = new LatencyStats();
  const statuses: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const startedMs = Date.now();
  let eventsDue = 0;
  let tweetsDue = 0;
  let lastTickMs = startedMs;
  let lastProgressMs = startedMs;

  const send = (path: string, batch: unknown[], counts: StreamCounts) => {
    counts.sent += batch.length;
    const started = performance.now();
    const request = doFetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
      body: JSON.stringify(batch),
    })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { accepted?: number; rejected?: number };
        latency.record(performance.now() - started);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status < 300 || response.status === 400) {
          counts.accepted += body.accepted ?? 0;
          counts.rejected += body.rejected ?? 0;
        } else {
          counts.refused += batch.length;
        }
      })
      .catch(() => {
        statuses.network = (statuses.network ?? 0) + 1;
        counts.refused += batch.length;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  while (!hooks.signal?.aborted) {
    const nowMs = Date.now();
    const elapsedS = (nowMs - startedMs) / 1000;
    if (options.durationS > 0 && elapsedS >= options.durationS) break;
    const dtS = (nowMs - lastTickMs) / 1000;
    lastTickMs = nowMs;
    eventsDue += rateAt(schedule, elapsedS) * dtS;
    tweetsDue += options.tweetsRate * dtS;
    while (eventsDue >= 1 && inFlight.size < options.concurrency) {
      const n = Math.min(options.batchSize, Math.floor(eventsDue));
      eventsDue -= n;
      const sentAt = new Date(nowMs).toISOString();
      send(
        '/v1/events',
        Array.from({ length: n }, () => ({ ...traffic.next(nowMs), sent_at: sentAt })),
        events,
      );
    }
    // Behind schedule with every slot busy: the backlog is capped, not replayed in a burst later.
    eventsDue = Math.min(eventsDue, options.batchSize * options.concurrency);
    while (tweetsDue >= 1 && inFlight.size < options.concurrency) {
      const n = Math.min(options.batchSize, Math.floor(tweetsDue));
      tweetsDue -= n;
      send(
        '/v1/tweets',
        Array.from({ length: n }, () => tweetStream.next(nowMs)),
        tweets,
      );
    }
    tweetsDue = Math.min(tweetsDue, options.batchSize * options.concurrency);
    if (hooks.onProgress && nowMs - lastProgressMs >= 1000) {
      lastProgressMs = nowMs;
      hooks.onProgress({
        elapsedS,
        events,
        tweets,
        targetRate: rateAt(schedule, elapsedS),
        p99: latency.percentile(99),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(inFlight);
  const endedMs = Date.now();
  const seconds = Math.max(0.001, (endedMs - startedMs) / 1000);
  return {
    sent: events.sent,
    accepted: events.accepted,
    rejected: events.rejected,
    refused: events.refused,
    events_per_s: Math.round((events.accepted + events.rejected) / seconds),
    latency_ms: { p50: round(latency.percentile(50)), p99: round(latency.percentile(99)) },
    requests: latency.count,
    statuses,
    tweets,
    started_at: new Date(startedMs).toISOString(),
    ended_at: new Date(endedMs).toISOString(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
