import { describe, expect, it } from 'vitest';
import { DuplicateWindow } from '../../../core/nlp/near-duplicates.ts';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';
import { hammingDistance, simhash } from '../../../core/nlp/simhash.ts';

const tokens = (text: string) => normaliseTweetText(text).tokens;

describe('simhash', () => {
  it('puts identical text at distance 0 and unrelated text far apart', () => {
    const a = simhash(tokens('the new update drains my battery in two hours'));
    expect(hammingDistance(a, simhash(tokens('the new update drains my battery in two hours')))).toBe(0);
    expect(
      hammingDistance(a, simhash(tokens('great match tonight, what a goal by the captain'))),
    ).toBeGreaterThan(10);
  });
});

describe('DuplicateWindow', () => {
  it('marks a retweet echo with the id of the original', () => {
    const w = new DuplicateWindow();
    expect(
      w.observe('1', tokens('Our new store opens Friday with 20% off everything https://t.co/a')),
    ).toBeUndefined();
    expect(
      w.observe('2', tokens('RT @acme: Our new store opens Friday with 20% off everything https://t.co/b')),
    ).toBe('1');
  });

  it('marks every copy of a copy-paste campaign with the first id, even with small edits', () => {
    const w = new DuplicateWindow();
    const text = 'I am so disappointed with acme customer service they never answer any of my emails';
    w.observe('c1', tokens(text));
    expect(w.observe('c2', tokens(`${text} !!`))).toBe('c1');
    expect(w.observe('c3', tokens(`@someone ${text} #boycott`))).toBe('c1');
    expect(w.observe('c4', tokens(text.toUpperCase()))).toBe('c1');
  });

  it('leaves different tweets and very short tweets alone', () => {
    const w = new DuplicateWindow();
    w.observe('a', tokens('shipping took three weeks and nobody told me why'));
    expect(w.observe('b', tokens('the battery life on this laptop is amazing honestly'))).toBeUndefined();
    w.observe('s1', tokens('good morning'));
    expect(w.observe('s2', tokens('good morning'))).toBeUndefined();
  });

  it('forgets tweets that fall out of the window, keeping memory bounded', () => {
    const w = new DuplicateWindow({ capacity: 3, maxDistance: 3, minTokens: 4 });
    w.observe('old', tokens('limited offer buy two phone cases get one free today'));
    for (let i = 0; i < 3; i++)
      w.observe(`f${i}`, tokens(`filler tweet number ${i} about something else entirely`));
    expect(w.size).toBe(3);
    expect(w.observe('new', tokens('limited offer buy two phone cases get one free today'))).toBeUndefined();
  });

  it('rejects a bad configuration naming the field', () => {
    expect(() => new DuplicateWindow({ capacity: 0, maxDistance: 3, minTokens: 4 })).toThrow(/capacity/);
    expect(() => new DuplicateWindow({ capacity: 10, maxDistance: 9, minTokens: 4 })).toThrow(/maxDistance/);
  });
});
