import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tweetWarehouseBatch } from '../../../core/aggregation/tweet-row.ts';
import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { insertBatch } from '../../../io/clickhouse/batch-writer.ts';
import { migrate } from '../../../io/clickhouse/migration.ts';
import { tweetRollupProjects } from '../../../io/clickhouse/migrations/009-tweet-rollup-projects.ts';
import { MIGRATIONS } from '../../../io/clickhouse/migrations/index.ts';
import { createTweetsWarehouseFunction } from '../../../lambdas/tweetwarehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { type TweetTally, tallyByTopicAndLabel, tweetTraffic } from '../aggregation/tweet-stream.ts';

const TOPIC = 'tweets.enriched';
const ROLLUPS = ['tweets_minute', 'tweets_hour'] as const;
const context = createLambdaContext('tweet-rollup-projects');

/** `project/topic/label` -> tally, from the tweets, each counted under the project given. */
function tallyByProject(counted: readonly (readonly [string, readonly EnrichedTweet[]])[]) {
  const out = new Map<string, TweetTally>();
  for (const [project, tweets] of counted)
    for (const [key, t] of tallyByTopicAndLabel(tweets)) {
      const sum = out.get(`${project}/${key}`) ?? { tweets: 0, scoreSum: 0, toxic: 0 };
      out.set(`${project}/${key}`, {
        tweets: sum.tweets + t.tweets,
        scoreSum: sum.scoreSum + t.scoreSum,
        toxic: sum.toxic + t.toxic,
      });
    }
  return out;
}

describe('migration 9: the tweet rollups count each project apart, on a warm tier that keeps taking tweets', () => {
  let dir: string;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let offset = 0;
  // Two projects' tweets in the last two hours (the rollups keep 30 days by the server's clock);
  // every expectation comes from the tweets themselves.
  const [shop] = tweetTraffic(seededRandom(91), 1, 360, Date.now(), 'shop');
  const [blog] = tweetTraffic(seededRandom(92), 1, 240, Date.now(), 'blog');
  /** The k-th of `parts` deliveries: a slice of each project's tweets, none repeated. */
  const delivery = (k: number, parts: number): EnrichedTweet[] => [
    ...shop!.slice((k * shop!.length) / parts, ((k + 1) * shop!.length) / parts),
    ...blog!.slice((k * blog!.length) / parts, ((k + 1) * blog!.length) / parts),
  ];
  /** Writes the tweets as the warehouse function does (identity claims included), without migrating. */
  const store = async (tweets: readonly EnrichedTweet[]) => {
    const events = tweets.map((tweet) => ({ tweet, timeMs: Date.parse(tweet.createdAt!), offset: offset++ }));
    const batch = { topic: TOPIC, partition: 0, firstOffset: events[0]!.offset, lastOffset: offset - 1 };
    return insertBatch(client, tweetWarehouseBatch({ ...batch, events, undecodable: [] }));
  };
  const rollup = async (table: string) => {
    const rows = await (
      await client.query({
        query: `SELECT project, topic, sentiment_label AS label, countMerge(tweets) AS n,
                       sumMerge(score_sum) AS s, countMerge(toxic) AS toxic
                FROM ${table} GROUP BY project, topic, label`,
        format: 'JSONEachRow',
      })
    ).json<{ project: string; topic: string; label: string; n: string; s: string; toxic: string }>();
    return new Map(
      rows.map((r) => [
        `${r.project}/${r.topic}/${r.label}`,
        { tweets: Number(r.n), scoreSum: Number(r.s), toxic: Number(r.toxic) },
      ]),
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spate-rollup-projects-ch-'));
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dir });
    client = createClient({ url: endpoint.url });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the totals rolled up before it as the default project’s, and counts every tweet once', async () => {
    // The warm tier as it was: tweets carry their project, the rollups add every project up.
    expect(await migrate(client, MIGRATIONS.slice(0, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(MIGRATIONS[8]).toBe(tweetRollupProjects);
    const { statements } = tweetRollupProjects;
    // One delivery before the migration, one after each of its statements (tweets keep arriving
    // while it runs), one after the migration is applied again as a whole, as at a cold start.
    const parts = statements.length + 2;
    const delivered: EnrichedTweet[][] = [];
    const deliver = async (k: number) => {
      delivered[k] = delivery(k, parts);
      expect(await store(delivered[k]!)).toBe(delivered[k]!.length);
    };
    await deliver(0);
    for (const [i, query] of statements.entries()) {
      await client.command({ query });
      await deliver(i + 1);
    }
    // Every statement again (a migration cut short reruns whole), then the ledger records it.
    expect(await migrate(client, MIGRATIONS.slice(0, 9))).toEqual([9]);
    await deliver(parts - 1);

    for (const table of ROLLUPS) {
      // A delivery counts under its tweets' projects once the table has the column, before that
      // under the default project with the totals the table already held.
      const split = statements.findIndex(
        (s) => s.startsWith(`ALTER TABLE ${table}\n`) && s.includes('ADD COLUMN'),
      );
      expect(split).toBeGreaterThan(-1);
      const totals = delivered.slice(0, split + 1).flat();
      const own = delivered.slice(split + 1).flat();
      const truth = tallyByProject([
        [DEFAULT_TWEET_PROJECT, totals],
        ['shop', own.filter((t) => t.project === 'shop')],
        ['blog', own.filter((t) => t.project === 'blog')],
      ]);
      expect(own.some((t) => t.project === 'blog') && own.some((t) => t.project === 'shop')).toBe(true);
      expect(await rollup(table)).toEqual(truth);
      // Merged into one part per day: the rows written before the column keep the default
      // project, and no project's rows fold into another's.
      await client.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
      expect(await rollup(table)).toEqual(truth);
    }
  }, 120_000);

  it("gives a project's tweets, through the warehouse function, rollup rows of their own", async () => {
    const config = {
      clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    };
    const warehouse = createTweetsWarehouseFunction(config);
    try {
      const before = await Promise.all(ROLLUPS.map(rollup));
      // Public tweets a third project tracks too, and tweets that name no project (the default's).
      const news = shop!.slice(0, 50).map((t) => ({ ...t, project: 'news' }));
      const unnamed = blog!.slice(0, 20).map(({ project: _, ...t }) => t);
      const sent = await warehouse.handler(
        mskEventOf(
          [...news, ...unnamed].map((t) => JSON.stringify(t)),
          { topic: TOPIC, partition: 0, firstOffset: offset },
        ),
        context,
      );
      expect(sent).toEqual({ inserted: 70 });
      const truth = tallyByProject([
        ['news', news],
        [DEFAULT_TWEET_PROJECT, blog!.slice(0, 20)],
      ]);
      for (const [i, table] of ROLLUPS.entries()) {
        const added = new Map<string, TweetTally>();
        for (const [key, t] of await rollup(table)) {
          const was = before[i]!.get(key) ?? { tweets: 0, scoreSum: 0, toxic: 0 };
          if (t.tweets !== was.tweets)
            added.set(key, {
              tweets: t.tweets - was.tweets,
              scoreSum: t.scoreSum - was.scoreSum,
              toxic: t.toxic - was.toxic,
            });
        }
        expect(added).toEqual(truth);
      }
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});
