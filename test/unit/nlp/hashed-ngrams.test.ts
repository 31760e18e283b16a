import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPEC,
  DENSE_FEATURES,
  HashedNgramFeaturizer,
  hashedNgramConfigJson,
  packFeatures,
  parseHashedNgramConfig,
} from '../../../core/nlp/inference/hashed-ngrams.ts';
import { parseVaderLexicon } from '../../../core/nlp/inference/vader-lexicon.ts';
import { HEADS } from '../../../core/nlp/model/labelled-sets.ts';

const lexicon = parseVaderLexicon(
  readFileSync(createRequire(import.meta.url).resolve('vader-sentiment/vader_lexicon.txt'), 'utf8'),
);

describe('feature hashing', () => {
  const featurizer = new HashedNgramFeaturizer(DEFAULT_SPEC, lexicon);

  it('gives the same ids, weights and dense features for the same text, in every instance', () => {
    const text = 'Loving the new phone!! Battery lasts forever smiling face with heart-eyes';
    const a = featurizer.featurize(text);
    const b = new HashedNgramFeaturizer(DEFAULT_SPEC, lexicon).featurize(text);
    expect([...a.ids]).toEqual([...b.ids]);
    expect([...a.weights]).toEqual([...b.weights]);
    expect([...a.dense]).toEqual([...b.dense]);
    for (const id of a.ids) expect(id >= 0 && id < DEFAULT_SPEC.buckets).toBe(true);
  });

  it('keeps the ids the shipped model was trained with (a hashing change needs a retrained model)', () => {
    const { ids } = featurizer.featurize('good day');
    // unigrams "good", "day"; bigrams <s> good, good day, day </s>; then character n-grams.
    expect([...ids.slice(0, 5)]).toEqual(GOLDEN_IDS);
    expect(ids.length).toBe(5 + 9 + 6);
  });

  it('weighs each kind of feature to unit length, and case does not change the ids', () => {
    const row = featurizer.featurize('What a match tonight');
    const squares = [...row.weights].reduce((s, w) => s + w * w, 0);
    expect(squares).toBeCloseTo(3, 5);
    expect([...featurizer.featurize('WHAT A MATCH TONIGHT').ids]).toEqual([...row.ids]);
  });

  it('reads shouting, punctuation and VADER into the dense features', () => {
    const calm = featurizer.featurize('the parcel arrived');
    const loud = featurizer.featurize('I HATE THIS, it is NOT ok!!!');
    const at = (name: (typeof DENSE_FEATURES)[number]) => DENSE_FEATURES.indexOf(name);
    expect(calm.dense).toHaveLength(DENSE_FEATURES.length);
    expect(loud.dense[at('vader_negative')]).toBeGreaterThan(0);
    expect(calm.dense[at('vader_negative')]).toBe(0);
    expect(loud.dense[at('exclamations')]).toBeCloseTo(Math.log1p(3), 5);
    expect(loud.dense[at('negation')]).toBe(1);
    expect(loud.dense[at('upper_case_share')]).toBeGreaterThan(0.5);
  });

  it('caps the ids of a long text and still gives an empty one a row', () => {
    const small = new HashedNgramFeaturizer({ ...DEFAULT_SPEC, maxFeatures: 50 }, lexicon);
    expect(small.featurize('word '.repeat(500)).ids.length).toBe(50);
    const empty = featurizer.featurize('');
    expect([...empty.ids]).toEqual([0]);
    expect([...empty.weights]).toEqual([0]);
  });

  it('pads a batch with zero weights', () => {
    const batch = packFeatures([featurizer.featurize('a b c d e'), featurizer.featurize('ok')]);
    const n = featurizer.featurize('ok').ids.length;
    expect(batch.rows).toBe(2);
    expect(batch.width).toBe(featurizer.featurize('a b c d e').ids.length);
    expect([...batch.weights.slice(batch.width + n, 2 * batch.width)].every((w) => w === 0)).toBe(true);
    expect(batch.dense).toHaveLength(2 * DENSE_FEATURES.length);
  });

  it('refuses a spec whose table is not a power of two', () => {
    expect(() => new HashedNgramFeaturizer({ ...DEFAULT_SPEC, buckets: 1000 }, lexicon)).toThrow(
      'features.buckets: must be a power of two',
    );
  });
});

describe('config.json of a hashed n-gram model', () => {
  it('round-trips, and an error names the field', () => {
    const json = hashedNgramConfigJson({ spec: DEFAULT_SPEC, dense: DENSE_FEATURES, heads: HEADS });
    expect(parseHashedNgramConfig(JSON.parse(JSON.stringify(json)))).toEqual({
      spec: DEFAULT_SPEC,
      dense: DENSE_FEATURES,
      heads: HEADS,
    });
    expect(() => parseHashedNgramConfig({ ...json, heads: [HEADS[1]] })).toThrow(
      'config.json heads: must include a sentiment head',
    );
    expect(() =>
      parseHashedNgramConfig({
        ...json,
        features: { ...(json as { features: object }).features, dense: ['x'] },
      }),
    ).toThrow(/config\.json features\.dense: must be exactly/);
  });
});

const GOLDEN_IDS = [119651, 67543, 108788, 101047, 123476];
