import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vader from 'vader-sentiment';
import { describe, expect, it } from 'vitest';
import { VaderScorer, wordsAndEmoticons } from '../../../core/nlp/inference/vader.ts';
import { parseVaderLexicon } from '../../../core/nlp/inference/vader-lexicon.ts';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';
import { TweetStream } from '../../../load/tweet-stream.ts';

const require = createRequire(import.meta.url);
const lexicon = parseVaderLexicon(readFileSync(require.resolve('vader-sentiment/vader_lexicon.txt'), 'utf8'));
const scorer = new VaderScorer(lexicon);
const reference = (text: string) => vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;

// Sentences that exercise each VADER rule: boosters, caps, negation, "never so", "least",
// idioms, "kind of", "but", punctuation emphasis, emoticons, contractions.
const RULE_CASES = [
  'VADER is smart, handsome, and funny.',
  'VADER is VERY SMART, handsome, and FUNNY!!!',
  'VADER is not smart, handsome, nor funny.',
  'The book was kind of good.',
  'The plot was good, but the characters are uncompelling and the dialog is not great.',
  'At least it is not horrible',
  'least good thing ever',
  'this was very least bad',
  'I am never so happy',
  'never this good, really',
  'that concert was the shit',
  'yeah right, great service',
  'we cut the mustard today',
  'it was the kiss of death for the team',
  'living hand to mouth sucks',
  'Today SUX!',
  "Today only kinda sux! But I'll get by, lol",
  'Make sure you :) or :D today!',
  'Catch utf-8 emoji such as 💘 and 💋 and 😁',
  'Not bad at all',
  "I don't love it... isn't it sad?? really???",
  '?!?!good!!! (great) ..nice:: "happy" \'sad\' -meh- !!!!',
  'sort of kind-of sorta sort-of just enough good',
  'ALL CAPS HATE',
  'HATE it',
  'the bad ass bomb',
  'uh-uh that is not good,nope,GREAT',
  'BUT good but bad but',
  '',
  '   ',
  'a b c',
];

describe('VaderScorer', () => {
  it('splits tokens as VADER does, shedding a listed punctuation run beside a word', () => {
    expect(wordsAndEmoticons('good!! "great" :) !! x ..nice !nice can\'t')).toEqual([
      'good',
      '"great"',
      ':)',
      '!!',
      '..nice',
      'nice',
      "can't",
    ]);
  });

  it('gives the vader-sentiment package score for every rule case', () => {
    for (const text of RULE_CASES) expect([text, scorer.compound(text)]).toEqual([text, reference(text)]);
  });

  it('gives the package score on normalised generator tweets and on random punctuation soup', () => {
    const stream = new TweetStream(7);
    const texts: string[] = [];
    for (let i = 0; i < 500; i++) texts.push(normaliseTweetText(stream.next(0).text).text);
    // A deterministic scramble of lexicon words, boosters, negations and punctuation.
    const parts = [
      'good',
      'BAD',
      'not',
      'very',
      'so',
      'never',
      'but',
      'kind',
      'of',
      'least',
      'at',
      'the',
      'shit',
      ':(',
      '!!',
      '?',
      "isn't",
      'LOVE',
      'hate',
      '...',
      '"',
      'sort',
      'x',
    ];
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (next() % 12);
      let text = '';
      for (let j = 0; j < n; j++) {
        const sep = [' ', ' ', '', ',', '!', '.'][next() % 6]!;
        text += parts[next() % parts.length]! + sep;
      }
      texts.push(text);
    }
    const mismatches = texts.filter((t) => scorer.compound(t) !== reference(t));
    expect(mismatches).toEqual([]);
  });
});
