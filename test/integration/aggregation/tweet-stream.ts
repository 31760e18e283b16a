import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';

const TOPICS = ['shipping', 'pricing', 'support', 'launch'];
const TAGS = ['Acme', 'launch', 'fail', 'deal'];

/**
 * Enriched tweets of `project` as the NLP worker writes them to tweets.enriched, `perPartition`
 * on each of `partitions` partitions, posted over the two hours before `endMs`; seeded, so
 * reproducible.
 */
export function tweetTraffic(
  random: () => number,
  partitions: number,
  perPartition: number,
  endMs: number,
  project = 'shop',
): EnrichedTweet[][] {
  let n = 0;
  return Array.from({ length: partitions }, () =>
    Array.from({ length: perPartition }, () => {
      const i = n++;
      const at = endMs - Math.floor(random() * 2 * 3_600_000);
      const score = Math.round((random() * 2 - 1) * 10_000) / 10_000;
      const topics: Record<string, number> = {};
      for (const t of TOPICS) if (random() < 0.3) topics[t] = Math.round(random() * 1000) / 1000 || 0.001;
      const toxic = random() < 0.1;
      const hashtags = TAGS.filter(() => random() < 0.25).map((h) => h.toLowerCase());
      return {
        project,
        id: String(1_800_000_000_000_000 + i),
        text: `tweet ${i} #${hashtags.join(' #')}`,
        user: `user${Math.floor(random() * 60)}`,
        createdAt: new Date(at).toISOString(),
        cleanText: `tweet ${i}`,
        lang: { lang: random() < 0.8 ? 'en' : 'de', reliable: true, target: true },
        duplicateOf: random() < 0.05 ? String(1_800_000_000_000_000 + Math.floor(random() * (i + 1))) : null,
        retweet: random() < 0.1,
        entities: { hashtags, mentions: ['acme'], cashtags: [], domains: [], known: [] },
        emoji: [],
        sentiment: {
          score,
          label: score > 0.05 ? 'positive' : score < -0.05 ? 'negative' : 'neutral',
          model: 'lexicon',
        },
        topics,
        risk: toxic
          ? { score: 0.7 + Math.round(random() * 3000) / 10_000, flags: ['insult'] }
          : { score: 0, flags: [] },
        // Nothing flagged: the tallies count toxic tweets by their risk score, as the warm tier does.
        toxicity: { offensive: 0, hate: 0, flags: [] },
        enrichedAt: new Date(at + 120).toISOString(),
      } satisfies EnrichedTweet;
    }),
  );
}

export interface TweetTally {
  tweets: number;
  scoreSum: number;
  toxic: number;
}

/**
 * What the rollups must hold, from the tweets themselves: per `topic/label`, where topic ''
 * counts every tweet once whatever its topics.
 */
export function tallyByTopicAndLabel(tweets: readonly EnrichedTweet[]): Map<string, TweetTally> {
  const out = new Map<string, TweetTally>();
  for (const t of tweets) {
    for (const topic of ['', ...Object.keys(t.topics)]) {
      const key = `${topic}/${t.sentiment.label}`;
      const tally = out.get(key) ?? { tweets: 0, scoreSum: 0, toxic: 0 };
      tally.tweets += 1;
      tally.scoreSum += Math.round(t.sentiment.score * 10_000);
      tally.toxic += t.risk.score >= 0.7 ? 1 : 0;
      out.set(key, tally);
    }
  }
  return out;
}
