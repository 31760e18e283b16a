import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNlpWorkerConfig } from '../../../containers/nlp/config.ts';
import { startNlpWorker } from '../../../containers/nlp/worker.ts';
import type { EnrichedTweet } from '../../../core/nlp/enrich.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { TOPICS } from '../../../core/topics.ts';
import { type RunningBroker, startBroker } from '../../../local/kafka/index.ts';
import { makeTweets, produceTweets, readCommitted } from './harness.ts';

let broker: RunningBroker;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'spate-nlp-copies-'));
  broker = await startBroker({ port: 0, dataDir });
});

afterAll(async () => {
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const counted = (body: string, outcome: string) =>
  Number(new RegExp(`spate_nlp_tweets_total\\{outcome="${outcome}"\\} (\\d+)`).exec(body)?.[1] ?? 0);

describe('NLP worker and tweets the firehose sent twice', () => {
  it('enriches a tweet id once per project: copies of committed tweets and copies within a chunk are skipped', async () => {
    const worker = await startNlpWorker(
      readNlpWorkerConfig({
        SPATE_KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
        SPATE_NLP_GROUP_ID: 'nlp-copies',
        SPATE_NLP_TRANSACTIONAL_ID: 'nlp-copies-0',
        SPATE_NLP_METRICS_PORT: '0',
      }),
    );
    const metrics = async () => (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    try {
      const originals = makeTweets(100, 'sent');
      await produceTweets(broker.port, originals);
      await readCommitted<EnrichedTweet>(
        broker.port,
        TOPICS.tweetsEnriched.name,
        (r) => r.length >= 100,
        45_000,
      );
      // The firehose re-sends half of them, a few twice in the same send, with 20 new tweets;
      // another project tracks 10 of the first tweets (not copies: its own) and sends one twice.
      const later = makeTweets(20, 'new');
      const tracked = originals.slice(0, 10).map((t) => ({ ...t, project: 'blog' }));
      await produceTweets(broker.port, [
        ...originals.slice(0, 50),
        ...later,
        ...tracked,
        ...originals.slice(0, 5),
        later[0]!,
        tracked[0]!,
      ]);
      const deadline = Date.now() + 45_000;
      let body = await metrics();
      while (counted(body, 'enriched') + counted(body, 'copy') < 187 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        body = await metrics();
      }
      expect({ enriched: counted(body, 'enriched'), copies: counted(body, 'copy') }).toEqual({
        enriched: 130,
        copies: 57,
      });
      const records = await readCommitted<EnrichedTweet>(
        broker.port,
        TOPICS.tweetsEnriched.name,
        (r) => r.length >= 130,
        45_000,
      );
      // Tweets sent without a project are the default project's (core/nlp/tweet-project.ts).
      const identities = records.map((r) => `${r.project}/${r.id}`);
      expect(identities).toHaveLength(130);
      expect(new Set(identities).size).toBe(130);
      expect(
        records
          .filter((r) => r.project === 'blog')
          .map((r) => r.id)
          .sort(),
      ).toEqual(tracked.map((t) => t.id).sort());
      expect(records.filter((r) => r.project === DEFAULT_TWEET_PROJECT)).toHaveLength(120);
    } finally {
      await worker.stop();
    }
  }, 120_000);
});
