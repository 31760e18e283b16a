import { describe, expect, it } from 'vitest';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';

const lexicon = new Set(['love', 'good', 'happy', 'angry', 'laugh', 'cool']);
const isWord = (w: string) => lexicon.has(w);

describe('normaliseTweetText', () => {
  it('lifts out URLs, mentions, hashtags and cashtags and keeps the original', () => {
    const original = 'Check @AcmeSupport re #iPhone15 &amp; $AAPL https://t.co/Ab12, www.acme.com/deals!';
    const n = normaliseTweetText(original, { isWord });
    expect(n.original).toBe(original);
    expect(n.urls).toEqual(['https://t.co/Ab12', 'www.acme.com/deals']);
    expect(n.mentions).toEqual(['acmesupport']);
    expect(n.hashtags).toEqual(['iphone15']);
    expect(n.cashtags).toEqual(['AAPL']);
    expect(n.text).toBe('Check re iPhone15 & $AAPL , !');
    expect(n.text).not.toContain('http');
  });

  it('turns emoji into words with their meaning, skin tones and presentation ignored', () => {
    const n = normaliseTweetText('new phone 😍👍🏽 but the box 😡', { isWord });
    expect(n.emoji).toEqual(['😍', '👍🏽', '😡']);
    expect(n.tokens).toEqual(['new', 'phone', 'love', 'good', 'but', 'the', 'box', 'angry']);
    expect(n.words).toEqual(['new', 'phone', 'but', 'the', 'box']);
  });

  it('shortens elongated words to the form the lexicon knows and keeps case', () => {
    const n = normaliseTweetText('I LOOOOVE it, sooooo goooood', { isWord });
    expect(n.text).toBe('I LOVE it, soo good');
    expect(n.elongated).toEqual(['love', 'soo', 'good']);
  });

  it('marks retweet echoes and counts the retweeted author as a mention', () => {
    const n = normaliseTweetText('RT @nasa: Launch is go 🚀');
    expect(n.retweet).toBe(true);
    expect(n.mentions).toEqual(['nasa']);
    expect(n.text).toBe('Launch is go excited');
  });

  it('keeps non-Latin text and emoticons VADER scores', () => {
    const n = normaliseTweetText('Отличный телефон :) #спасибо');
    expect(n.tokens).toEqual(['отличный', 'телефон', 'спасибо']);
    expect(n.hashtags).toEqual(['спасибо']);
    expect(n.text).toContain(':)');
  });

  it('does not take an email address or an HTML entity for a mention or hashtag', () => {
    const n = normaliseTweetText('mail me at bob@example.com &#35;notatag');
    expect(n.mentions).toEqual([]);
    expect(n.hashtags).toEqual(['notatag']);
  });
});
