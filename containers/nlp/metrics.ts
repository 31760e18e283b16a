import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TokenCounts } from '../../core/nlp/inference/length-batches.ts';

/** The worker's Prometheus metrics, on their own registry so several workers can share a process in tests. */
export class NlpMetrics {
  readonly registry = new Registry();
  readonly tweets = new Counter({
    name: 'spate_nlp_tweets_total',
    help: 'Tweets consumed, by outcome (enriched, invalid, copy: a tweet id enriched already, skipped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly tweetsPerSecond = new Gauge({
    name: 'spate_nlp_tweets_per_second',
    help: 'Tweets enriched per second over the last 10 s',
    registers: [this.registry],
    // Computed at scrape time, so an idle worker reads 0 rather than its last busy rate.
    collect: () => {
      this.tweetsPerSecond.set(this.ratePerSecond());
    },
  });
  readonly alerts = new Counter({
    name: 'spate_nlp_alerts_total',
    help: 'Alerts produced',
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'spate_nlp_batch_size',
    help: 'Inputs per model call',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'spate_nlp_queue_wait_seconds',
    help: 'Time the oldest input of a model call waited in the micro-batch queue',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly inference = new Histogram({
    name: 'spate_nlp_inference_seconds',
    help: 'Model call latency',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly tweetLatency = new Histogram({
    name: 'spate_nlp_tweet_latency_seconds',
    help: 'From the tweet record timestamp on tweets.raw to its enriched record committed',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly transaction = new Histogram({
    name: 'spate_nlp_transaction_seconds',
    help: 'Produce + send offsets + commit',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'spate_nlp_consumer_lag',
    help: 'Records behind the high watermark, per partition of tweets.raw',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly gpuInUse = new Gauge({
    name: 'spate_nlp_gpu_in_use',
    help: '1 when the model runs on the CUDA execution provider',
    registers: [this.registry],
  });
  readonly rulesReloads = new Counter({
    name: 'spate_nlp_rules_reloads_total',
    help: 'Business rule reloads, by outcome (applied, rejected)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  // Read from the backend's own counters at each scrape: the backend counts, this only reports.
  readonly realTokens = new Counter({
    name: 'spate_nlp_real_tokens_total',
    help: "Tokens of the tweets fed to the model, all heads together (a padded backend's only)",
    registers: [this.registry],
    collect: () => this.syncTokens(),
  });
  readonly paddedTokens = new Counter({
    name: 'spate_nlp_padded_tokens_total',
    help: 'Tokens of the tensors the model ran, padding included; padding share = 1 - real / padded',
    registers: [this.registry],
    collect: () => this.syncTokens(),
  });

  private readonly recent: { at: number; n: number }[] = [];
  private tokenSource: (() => TokenCounts) | undefined;
  private tokensReported = { realTokens: 0, paddedTokens: 0 };
  private readonly lagByPartition = new Map<number, number>();

  countEnriched(n: number, now = Date.now()): void {
    this.tweets.inc({ outcome: 'enriched' }, n);
    this.recent.push({ at: now, n });
    this.ratePerSecond(now);
  }

  /** Tweets enriched per second over the last 10 s. */
  ratePerSecond(now = Date.now()): number {
    while (this.recent.length > 0 && this.recent[0]!.at < now - 10_000) this.recent.shift();
    return this.recent.reduce((s, r) => s + r.n, 0) / 10;
  }

  /** Reports the backend's token counters (padding.ts tokenCountsOf); a backend that pads nothing has none. */
  watchTokens(source: () => TokenCounts): void {
    this.tokenSource = source;
  }

  /** What the backend fed its model so far; undefined when it pads nothing. */
  tokensFed(): TokenCounts | undefined {
    return this.tokenSource?.();
  }

  private syncTokens(): void {
    const fed = this.tokensFed();
    if (fed === undefined) return;
    this.realTokens.inc(fed.realTokens - this.tokensReported.realTokens);
    this.paddedTokens.inc(fed.paddedTokens - this.tokensReported.paddedTokens);
    this.tokensReported = { realTokens: fed.realTokens, paddedTokens: fed.paddedTokens };
  }

  setLag(partition: number, lag: number): void {
    this.lagByPartition.set(partition, lag);
    this.consumerLag.set({ partition: String(partition) }, lag);
  }

  /** After a rebalance: partitions now owned by another worker are no longer this worker's lag. */
  keepLagOf(assigned: readonly number[]): void {
    for (const partition of [...this.lagByPartition.keys()]) {
      if (assigned.includes(partition)) continue;
      this.lagByPartition.delete(partition);
      this.consumerLag.remove({ partition: String(partition) });
    }
  }

  /** Records behind the high watermark over the partitions this worker owns. */
  get totalLag(): number {
    let sum = 0;
    for (const lag of this.lagByPartition.values()) sum += lag;
    return sum;
  }
}

export async function serveMetrics(
  metrics: NlpMetrics,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
