import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { publishWorkerEmf } from '../../../containers/nlp/emf.ts';
import { NlpMetrics } from '../../../containers/nlp/metrics.ts';
import { tokenCountsOf } from '../../../containers/nlp/padding.ts';
import { startNlpWorker } from '../../../containers/nlp/worker.ts';
import { METRIC_SERVICES, METRICS_NAMESPACE } from '../../../core/metrics/metric-names.ts';
import type { TokenCounts } from '../../../core/nlp/inference/length-batches.ts';
import { TOPICS } from '../../../core/topics.ts';
import { startBroker } from '../../../local/kafka/index.ts';
import { makeTweets, produceTweets, readCommitted } from './harness.ts';
import { layTinyHeads, productionBackend, TINY_TWEETS, type TinyHeads } from './tiny-heads.ts';

/**
 * The worker's padding figures, on the tiny RoBERTa heads through the worker's own backend
 * selection: each EMF line reports the tokens fed since the line before and their padding share,
 * and /metrics the running totals, exactly what the backend counted.
 */
let heads: TinyHeads;
beforeAll(() => {
  heads = layTinyHeads();
});
afterAll(() => heads.remove());
afterEach(() => {
  vi.useRealTimers();
});

const INTERVAL_MS = 10_000;
const LONG =
  'Thread: the launch was delayed twice, the stream kept buffering and support never answered. ' +
  'The preorder page still shows the wrong price, the worst rollout this year #launch #fail';
/** Short and long tweets interleaved: padded to the longest, most of the tensor is padding. */
const MIXED = Array.from({ length: 24 }, (_, i) =>
  i % 6 === 5 ? `${LONG} (${i})` : `${TINY_TWEETS[i % TINY_TWEETS.length]!.text} ${i}`,
);

type EmfRecord = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
};

/** The worker's metrics and EMF publisher over a backend, the EMF lines kept; intervals advanced by hand. */
async function observed(env: Record<string, string>) {
  const backend = await productionBackend(heads.modelDir, env);
  const metrics = new NlpMetrics();
  const counts = tokenCountsOf(backend);
  if (counts !== undefined) metrics.watchTokens(counts);
  const lines: EmfRecord[] = [];
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const stop = publishWorkerEmf(metrics, { namespace: METRICS_NAMESPACE, intervalMs: INTERVAL_MS }, (l) =>
    lines.push(JSON.parse(l) as EmfRecord),
  );
  const nextLine = () => {
    vi.advanceTimersByTime(INTERVAL_MS);
    return lines.at(-1)!;
  };
  const scraped = async (name: string) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
  return { backend, counts, metrics, lines, stop, nextLine, scraped };
}

const share = (before: TokenCounts, after: TokenCounts) => {
  const padded = after.paddedTokens - before.paddedTokens;
  return (100 * (padded - (after.realTokens - before.realTokens))) / padded;
};

describe("the NLP worker's padding metrics", () => {
  it('report per interval the tokens the backend fed its model and their padding share, and the totals on /metrics', async () => {
    const { backend, counts, lines, stop, nextLine, scraped } = await observed({
      SPATE_NLP_LENGTH_BATCHING: 'false',
    });
    try {
      expect(counts).toBeDefined();
      const start = counts!();
      await backend.infer(MIXED);
      const first = counts!();
      const line1 = nextLine();
      expect(line1).toMatchObject({
        service: METRIC_SERVICES.nlp,
        RealTokens: first.realTokens - start.realTokens,
        PaddedTokens: first.paddedTokens - start.paddedTokens,
        PaddingShare: share(start, first),
      });
      expect(line1._aws.CloudWatchMetrics[0]!.Metrics).toEqual(
        expect.arrayContaining([
          { Name: 'RealTokens', Unit: 'Count' },
          { Name: 'PaddedTokens', Unit: 'Count' },
          { Name: 'PaddingShare', Unit: 'Percent' },
        ]),
      );
      // One tensor as wide as the long tweets: more than half of it padding.
      expect(line1.PaddingShare as number).toBeGreaterThan(50);
      expect(line1.RealTokens as number).toBeGreaterThan(0);

      // The next interval reports only what ran in it: short tweets alone, little padding.
      await backend.infer(TINY_TWEETS.map((t) => t.text));
      const second = counts!();
      const line2 = nextLine();
      expect(line2).toMatchObject({
        RealTokens: second.realTokens - first.realTokens,
        PaddedTokens: second.paddedTokens - first.paddedTokens,
        PaddingShare: share(first, second),
      });
      expect(line2.PaddingShare as number).toBeLessThan(line1.PaddingShare as number);

      // An idle interval: no tokens, and no share rather than a share of 0.
      const line3 = nextLine();
      expect(line3).toMatchObject({ RealTokens: 0, PaddedTokens: 0 });
      expect(line3).not.toHaveProperty('PaddingShare');
      expect(lines).toHaveLength(3);

      // The scrape reads the backend's running totals, and keeps up when it runs again.
      expect(await scraped('spate_nlp_real_tokens_total')).toBe(second.realTokens);
      expect(await scraped('spate_nlp_padded_tokens_total')).toBe(second.paddedTokens);
      await backend.infer(MIXED.slice(0, 7));
      expect(await scraped('spate_nlp_padded_tokens_total')).toBe(counts!().paddedTokens);
      expect(await scraped('spate_nlp_real_tokens_total')).toBe(counts!().realTokens);
    } finally {
      stop();
      await backend.close();
    }
  });

  it('show the length-batched backend feeding little padding on the same tweets', async () => {
    const { backend, counts, stop, nextLine } = await observed({});
    try {
      await backend.infer(MIXED);
      const fed = counts!();
      const line = nextLine();
      expect(line).toMatchObject({
        RealTokens: fed.realTokens,
        PaddedTokens: fed.paddedTokens,
        PaddingShare: share({ runs: 0, rows: 0, realTokens: 0, paddedTokens: 0 }, fed),
      });
      expect(line.PaddingShare as number).toBeLessThan(15);
    } finally {
      stop();
      await backend.close();
    }
  });

  it('publish no token figures for a backend that pads nothing (the lexicon)', async () => {
    const { backend, counts, lines, stop, nextLine, scraped } = await observed({
      SPATE_NLP_BACKEND: 'lexicon',
    });
    try {
      expect(counts).toBeUndefined();
      await backend.infer(MIXED);
      const line = nextLine();
      expect(line).toHaveProperty('ConsumerLag', 0);
      for (const name of ['RealTokens', 'PaddedTokens', 'PaddingShare'])
        expect(line).not.toHaveProperty(name);
      expect(lines).toHaveLength(1);
      expect(await scraped('spate_nlp_padded_tokens_total')).toBe(0);
    } finally {
      stop();
      await backend.close();
    }
  });
});

describe('the running worker on the tiny heads', () => {
  it('serves on /metrics the tokens its backend fed the model', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spate-nlp-padding-'));
    const broker = await startBroker({ port: 0, dataDir });
    try {
      const tweets = makeTweets(120, 'padding');
      await produceTweets(broker.port, tweets);
      const worker = await startNlpWorker(
        readNlpWorkerConfig({
          SPATE_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
          SPATE_NLP_GROUP_ID: 'nlp-padding',
          SPATE_NLP_TRANSACTIONAL_ID: 'nlp-padding-0',
          SPATE_NLP_METRICS_PORT: '0',
          SPATE_NLP_BACKEND: 'onnx',
          SPATE_NLP_MODEL_DIR: heads.modelDir,
        }),
      );
      try {
        const ids = new Set(tweets.map((t) => t.id));
        await readCommitted<{ id: string }>(
          broker.port,
          TOPICS.tweetsEnriched.name,
          (records) => records.filter((r) => ids.has(r.id)).length >= tweets.length,
          60_000,
        );
        const body = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
        const fed = worker.metrics.tokensFed();
        const total = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1]);
        expect(fed).toBeDefined();
        expect(fed!.realTokens).toBeGreaterThan(tweets.length);
        expect(total('spate_nlp_real_tokens_total')).toBe(fed!.realTokens);
        expect(total('spate_nlp_padded_tokens_total')).toBe(fed!.paddedTokens);
      } finally {
        await worker.stop();
      }
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
