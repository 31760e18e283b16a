import { describe, expect, it } from 'vitest';
import { EntityCatalogue, extractEntities, urlDomain } from '../../../core/nlp/entities.ts';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';
import { TopicScorer } from '../../../core/nlp/topics.ts';

const catalogue = new EntityCatalogue([
  { name: 'Acme', type: 'brand', aliases: ['acme corp', 'acmecorp'] },
  { name: 'Acme Phone X', type: 'product', aliases: ['phone x', 'phonex'] },
]);

describe('extractEntities', () => {
  it('finds tags, link domains and known entities named by word, hashtag or cashtag', () => {
    const norm = normaliseTweetText(
      'My Phone X from Acme Corp died again #acmecorp $ACME @acmehelp https://www.acme.com/support?id=1 https://t.co/xyz',
    );
    const e = extractEntities(norm, catalogue);
    expect(e.hashtags).toEqual(['acmecorp']);
    expect(e.mentions).toEqual(['acmehelp']);
    expect(e.cashtags).toEqual(['ACME']);
    expect(e.domains).toEqual(['acme.com', 't.co']);
    expect(e.known).toEqual([
      { name: 'Acme Phone X', type: 'product' },
      { name: 'Acme', type: 'brand' },
    ]);
  });

  it('matches whole words only', () => {
    const e = extractEntities(normaliseTweetText('acmeish phones are fine'), catalogue);
    expect(e.known).toEqual([]);
  });

  it('reads domains of links without a scheme and ignores garbage', () => {
    expect(urlDomain('www.Example.co.uk/path')).toBe('example.co.uk');
    expect(urlDomain('http://')).toBeUndefined();
  });
});

describe('TopicScorer', () => {
  const topics = new TopicScorer();
  const score = (text: string) => {
    const n = normaliseTweetText(text);
    return topics.score([...n.tokens, ...n.hashtags]);
  };

  it('scores the topics a tweet is about and leaves others out', () => {
    const s = score(
      'My package is still not delivered, tracking says delayed. Customer service put me on hold for an hour',
    );
    expect(Object.keys(s).sort()).toEqual(['customer_service', 'shipping']);
    expect(s.shipping).toBeGreaterThan(0.9);
  });

  it('uses hashtags and stays within (0, 1]', () => {
    const s = score('what a goal goal goal goal goal #worldcup #football');
    expect(s.sports).toBeGreaterThan(0.9);
    expect(s.sports).toBeLessThanOrEqual(1);
  });

  it('takes a custom taxonomy with phrases', () => {
    const custom = new TopicScorer({ outages: ['down', 'not loading', 'outage'] });
    expect(custom.score(normaliseTweetText('the site is not loading again').tokens)).toEqual({
      outages: 0.593,
    });
  });
});
