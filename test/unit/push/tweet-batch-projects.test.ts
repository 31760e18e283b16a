import { describe, expect, it } from 'vitest';
import { DEFAULT_TWEET_PROJECT } from '../../../core/nlp/tweet-project.ts';
import { projectsOf, tweetProjectsOf } from '../../../lambdas/broadcast/batch-projects.ts';
import { mskEventOf } from '../aggregation/factories.ts';

const tweet = (fields: Record<string, unknown>) =>
  JSON.stringify({ ...fields, id: '1', text: 'a "project":"forged" in the text', sentiment: {} });

describe('the projects a broadcaster batch touches', () => {
  it("names each enriched tweet's project, the default one for a tweet that names none", () => {
    const event = mskEventOf([tweet({ project: 'shop' }), tweet({ project: 'blog' }), tweet({})], {
      topic: 'tweets.enriched',
    });
    expect([...tweetProjectsOf(event)].sort()).toEqual(['blog', DEFAULT_TWEET_PROJECT, 'shop'].sort());
    // Tweets move no event channels.
    expect(projectsOf(event)).toEqual(new Set());
  });

  it('reads a project the pattern does not cover from the record itself, and skips what is not a tweet', () => {
    const event = mskEventOf([tweet({ project: 'Shop Europe' }), 'not json', tweet({ project: 7 })], {
      topic: 'tweets.enriched',
    });
    expect(tweetProjectsOf(event)).toEqual(new Set(['Shop Europe']));
  });

  it('finds no tweet projects in a batch of events', () => {
    const event = mskEventOf([JSON.stringify({ project: 'shop', event_id: 'e1' })], { topic: 'events.raw' });
    expect(tweetProjectsOf(event)).toEqual(new Set());
    expect(projectsOf(event)).toEqual(new Set(['shop']));
  });
});
