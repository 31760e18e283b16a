import { ShopTraffic } from '../../load/traffic.ts';
import { TweetStream } from '../../load/tweet-stream.ts';
import { plannedCopies, type ResendPolicy } from './client-retries.ts';
import { seeded } from './seeded-random.ts';

export interface DriveOptions {
  readonly endpoint: string;
  readonly writeKey: string;
  readonly seed: number;
  /** Shop events per second. */
  readonly rate: number;
  readonly tweetsRate?: number;
  readonly batchSize?: number;
  readonly concurrency?: number;
  /** Send some batches again, as a client does that never saw the response. @default none */
  readonly resend?: ResendPolicy;
}

/**
 * What the load saw: every event id the API acknowledged is in `acceptedIds`. `sent` and
 * `accepted` count events, each once; copies a retrying client sent count apart.
 */
export interface DriveResult {
  sent: number;
  accepted: number;
  copiesSent: number;
  copiesAccepted: number;
  refused: number;
  readonly acceptedIds: Set<string>;
  readonly acceptedTweetIds: Set<string>;
  tweetsSent: number;
}

export interface Drive {
  readonly result: DriveResult;
  /** Stops sending, waits for requests in flight, and gives the totals. */
  stop(): Promise<DriveResult>;
}

/**
 * Seeded shop traffic (and tweets) at a steady rate, keeping the ids of what the API accepted.
 * Unless `resend` says so, no client retries: a refused batch (503 while a part is down) is
 * counted as refused, so `accepted` is exactly what Spate promised to keep. A copy that is
 * accepted where its first send was refused makes its events accepted.
 */
export function drive(options: DriveOptions): Drive {
  const traffic = new ShopTraffic({ seed: options.seed, users: 500 });
  const tweets = new TweetStream(options.seed);
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 8;
  const result: DriveResult = {
    sent: 0,
    accepted: 0,
    refused: 0,
    copiesSent: 0,
    copiesAccepted: 0,
    acceptedIds: new Set(),
    acceptedTweetIds: new Set(),
    tweetsSent: 0,
  };
  const inFlight = new Set<Promise<void>>();
  const copiesDue = new Set<Promise<void>>();
  const resendRandom = seeded(options.seed ^ 0x7e5e);
  let stopped = false;

  const post = (
    path: string,
    items: readonly { id?: string; event_id?: string }[],
    onAccepted: () => void,
  ) => {
    const request = fetch(`${options.endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
      body: JSON.stringify(items),
      signal: AbortSignal.timeout(30_000),
    })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { accepted?: number };
        if (response.status === 200 && body.accepted === items.length) onAccepted();
        else if (path === '/v1/events') result.refused += items.length;
      })
      .catch(() => {
        if (path === '/v1/events') result.refused += items.length;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const accept = (batch: readonly { event_id: string }[]) => {
    for (const e of batch) {
      if (result.acceptedIds.has(e.event_id)) continue;
      result.acceptedIds.add(e.event_id);
      result.accepted += 1;
    }
  };

  const scheduleCopies = (batch: readonly { event_id: string }[], policy: ResendPolicy) => {
    for (const copy of plannedCopies(batch, policy, resendRandom)) {
      const due: Promise<void> = new Promise<void>((r) => setTimeout(r, copy.afterMs)).then(() => {
        for (const part of copy.batches) {
          result.copiesSent += part.length;
          post('/v1/events', part, () => {
            result.copiesAccepted += part.length;
            accept(part);
          });
        }
        copiesDue.delete(due);
      });
      copiesDue.add(due);
    }
  };

  const loop = (async () => {
    const started = Date.now();
    let eventsDone = 0;
    let tweetsDone = 0;
    while (!stopped) {
      const now = Date.now();
      const elapsedS = (now - started) / 1000;
      while (!stopped && eventsDone + batchSize <= elapsedS * options.rate && inFlight.size < concurrency) {
        const batch = Array.from({ length: batchSize }, () => traffic.next(now));
        eventsDone += batch.length;
        result.sent += batch.length;
        post('/v1/events', batch, () => accept(batch));
        if (options.resend) scheduleCopies(batch, options.resend);
      }
      const tweetsDue = elapsedS * (options.tweetsRate ?? 0);
      while (!stopped && tweetsDone + 10 <= tweetsDue && inFlight.size < concurrency) {
        const batch = Array.from({ length: 10 }, () => tweets.next(now));
        tweetsDone += batch.length;
        result.tweetsSent += batch.length;
        post('/v1/tweets', batch, () => {
          for (const t of batch) result.acceptedTweetIds.add(t.id);
        });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  return {
    result,
    async stop() {
      stopped = true;
      await loop;
      // Copies still due are sent on their schedule: a client's retry comes after it gave up waiting.
      while (copiesDue.size > 0) await Promise.all(copiesDue);
      await Promise.all(inFlight);
      return result;
    },
  };
}
