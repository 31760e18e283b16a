import { describe, expect, it } from 'vitest';
import { parseLabelledJsonl } from '../../../core/nlp/eval/labelled.ts';
import { classificationScores, pearson } from '../../../core/nlp/eval/metrics.ts';

describe('pearson', () => {
  it('is 1 for a linear relation, -1 for an inverse one, NaN for a constant', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1], [1, 2])).toBeNaN();
  });
});

describe('classificationScores', () => {
  it('computes accuracy and macro-F1 over the classes present', () => {
    const s = classificationScores(
      ['positive', 'positive', 'negative', 'neutral'],
      ['positive', 'negative', 'negative', 'neutral'],
    );
    expect(s.accuracy).toBe(0.75);
    // positive: p=1 r=.5 f1=2/3; negative: p=.5 r=1 f1=2/3; neutral: 1
    expect(s.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
  });
});

describe('parseLabelledJsonl', () => {
  it('reads scored and labelled lines and derives labels from scores', () => {
    const rows = parseLabelledJsonl(
      '{"text":"a","score":0.8}\n\n{"text":"b","label":"neutral"}\n{"text":"c","score":-0.01}\n',
    );
    expect(rows).toEqual([
      { text: 'a', score: 0.8, label: 'positive' },
      { text: 'b', label: 'neutral' },
      { text: 'c', score: -0.01, label: 'neutral' },
    ]);
  });

  it('names the line and the field on bad input', () => {
    expect(() => parseLabelledJsonl('{"text":"a","score":2}', 'f.jsonl')).toThrow(
      'f.jsonl:1: score must be a number in [-1, 1]',
    );
    expect(() => parseLabelledJsonl('{"text":"a"}\n{"text":"b","label":"meh"}')).toThrow(
      /data:1: needs score/,
    );
    expect(() => parseLabelledJsonl('nope')).toThrow('data:1: not valid JSON');
  });
});
