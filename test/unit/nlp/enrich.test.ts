import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseBusinessRules } from '../../../core/nlp/business-rules.ts';
import { TweetEnricher } from '../../../core/nlp/enrich.ts';
import { LexiconBackend } from '../../../core/nlp/inference/lexicon-backend.ts';
import { parseVaderLexicon } from '../../../core/nlp/inference/vader-lexicon.ts';
import { sentimentFromProbabilities, sentimentFromScore } from '../../../core/nlp/sentiment.ts';
import { parseRawTweet } from '../../../core/nlp/tweet.ts';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';

const lexicon = parseVaderLexicon(
  readFileSync(createRequire(import.meta.url).resolve('vader-sentiment/vader_lexicon.txt'), 'utf8'),
);
const isWord = (w: string) => lexicon.has(w);
const backend = new LexiconBackend(lexicon);

async function enrich(enricher: TweetEnricher, tweet: object) {
  const p = enricher.prepare(parseRawTweet(tweet));
  const [s] = await backend.infer([p.modelText]);
  return enricher.complete(p, s!, backend.name, new Date(0));
}

describe('sentiment labels', () => {
  it('uses VADER cut-offs for scores and the argmax for probabilities', () => {
    expect(sentimentFromScore(0.04).label).toBe('neutral');
    expect(sentimentFromScore(-0.3).label).toBe('negative');
    expect(sentimentFromScore(3)).toEqual({ score: 1, label: 'positive' });
    expect(sentimentFromProbabilities({ negative: 0.1, neutral: 0.2, positive: 0.7 })).toEqual({
      score: 0.6,
      label: 'positive',
    });
  });
});

describe('LexiconBackend through normalisation', () => {
  it('reads emoji and elongation that plain VADER misses', async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const a = await enrich(enricher, { id: 'e1', text: 'my new phone 😍😍' });
    expect(a.tweet.sentiment.label).toBe('positive');
    const b = await enrich(enricher, { id: 'e2', text: 'waited 3 weeks for my parcel 😡😡' });
    expect(b.tweet.sentiment.label).toBe('negative');
    const c = await enrich(enricher, { id: 'e3', text: 'The package arrived on Tuesday.' });
    expect(c.tweet.sentiment.label).toBe('neutral');
  });
});

describe('TweetEnricher', () => {
  it('produces the enriched tweet with every stage filled in', async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const { tweet, alert } = await enrich(enricher, {
      id: 42,
      text: 'Loving the fast delivery from @acme 📦 #happy https://acme.com/o/1',
      user: { screen_name: 'jo' },
      created_at: '2024-05-01T10:00:00Z',
      source: 'firehose',
    });
    expect(tweet).toMatchObject({
      id: '42',
      user: 'jo',
      createdAt: '2024-05-01T10:00:00Z',
      source: 'firehose',
      lang: { lang: 'en', target: true },
      duplicateOf: null,
      entities: { hashtags: ['happy'], mentions: ['acme'], domains: ['acme.com'] },
      sentiment: { label: 'positive', model: 'lexicon' },
      risk: { score: 0, flags: [] },
      toxicity: { offensive: 0, hate: 0, flags: [] },
      enrichedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(tweet.topics.shipping).toBeGreaterThan(0);
    expect(alert).toBeUndefined();
  });

  it("carries the tweet's project to its enriched record (first, for the broadcaster) and its alert", async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const { tweet, alert } = await enrich(enricher, {
      project: 'shop',
      id: 'p1',
      text: 'I will kill you all at acme hq',
      received_at: '2024-05-01T10:00:01Z',
    });
    expect(Object.keys(tweet)[0]).toBe('project');
    expect(tweet).toMatchObject({ project: 'shop', received_at: '2024-05-01T10:00:01Z' });
    expect(alert).toMatchObject({ project: 'shop', id: 'p1' });
    // Produced straight to tweets.raw without one: the default project's.
    const bare = await enrich(enricher, { id: 'p2', text: 'a calm tweet' });
    expect(bare.tweet.project).toBe(DEFAULT_TWEET_PROJECT);
    expect(() => parseRawTweet({ id: 'p3', text: 'x', project: '' })).toThrow(
      'tweet.project: must be a non-empty string when present',
    );
  });

  it('raises alerts for risk, watched keywords and watched entities, with rules swapped live', async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const threat = await enrich(enricher, { id: 't1', text: 'I will kill you all at acme hq' });
    expect(threat.alert?.reasons[0]).toMatch(/^risk 0\.\d+ \(threat\)/);
    // Without a toxicity model the rules stand in for it, and feed the alert as well.
    expect(threat.alert?.reasons).toContainEqual(expect.stringMatching(/^toxicity offensive 0\.\d+$/));
    expect(threat.alert?.toxicity.flags).toEqual(['offensive', 'hate']);
    expect(
      (await enrich(enricher, { id: 't2', text: 'Acme announces a battery recall today' })).alert,
    ).toBeUndefined();

    enricher.setRules(
      parseBusinessRules({
        watchedKeywords: ['recall'],
        entities: [{ name: 'Acme', aliases: [] }],
        watchedEntities: ['Acme'],
      }),
    );
    const recall = await enrich(enricher, { id: 't3', text: 'Acme announces a battery recall today' });
    expect(recall.alert?.reasons).toEqual(['watched keyword "recall"']);
    const angry = await enrich(enricher, { id: 't4', text: 'Acme is the worst, terrible awful support' });
    expect(angry.alert?.reasons).toEqual([expect.stringMatching(/^watched entity "Acme" at -0\.\d+/)]);
  });

  it('tags a Spanish tweet and marks a retweet echo as a duplicate of the first', async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const es = await enrich(enricher, {
      id: 's1',
      text: 'El pedido llegó roto y nadie contesta en atención al cliente',
    });
    expect(es.tweet.lang).toMatchObject({ lang: 'es', target: false });
    const rt = await enrich(enricher, {
      id: 's2',
      text: 'RT @x: El pedido llegó roto y nadie contesta en atención al cliente',
    });
    expect(rt.tweet.duplicateOf).toBe('s1');
    expect(rt.tweet.retweet).toBe(true);
  });

  it("finds near-duplicates among a project's own tweets only", async () => {
    const enricher = new TweetEnricher({ targetLanguages: ['en'], isWord });
    const text = 'Win a free phone now, click the link before it is gone https://spam.example/win';
    await enrich(enricher, { project: 'shop', id: 'a1', text });
    const elsewhere = await enrich(enricher, { project: 'blog', id: 'b1', text });
    expect(elsewhere.tweet.duplicateOf).toBeNull();
    const again = await enrich(enricher, { project: 'shop', id: 'a2', text });
    expect(again.tweet.duplicateOf).toBe('a1');
    // The copy-paste reads as spam in its own project, and only there.
    expect(again.tweet.risk.score).toBeGreaterThan(elsewhere.tweet.risk.score);
  });

  it('rejects a tweet without text, naming the field', () => {
    expect(() => parseRawTweet({ id: '1' })).toThrow('tweet.text: must be a string');
    expect(() => parseRawTweet({ id: '', text: 'x' })).toThrow('tweet.id: must be a non-empty string');
  });
});
