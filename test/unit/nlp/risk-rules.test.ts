import { describe, expect, it } from 'vitest';
import { parseBusinessRules } from '../../../core/nlp/business-rules.ts';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';
import { RiskModel } from '../../../core/nlp/risk.ts';

const risk = new RiskModel();
const assess = (text: string, duplicateOf?: string) => risk.assess(normaliseTweetText(text), duplicateOf);

describe('RiskModel', () => {
  it('scores an ordinary complaint low with no flags', () => {
    const r = assess('My order is late again, not happy with the delivery');
    expect(r).toEqual({ score: 0, flags: [] });
  });

  it('flags profanity, and a directed insult above a general one', () => {
    expect(assess('this update is shit').flags).toEqual([]);
    expect(assess('this fucking update is shit').flags).toEqual(['profanity']);
    const general = assess('stupid update');
    const directed = assess('you are a stupid idiot');
    expect(directed.flags).toContain('insult');
    expect(directed.score).toBeGreaterThan(general.score);
  });

  it('flags threats strongly', () => {
    const r = assess('I will kill you if my refund is not here tomorrow');
    expect(r.flags).toContain('threat');
    expect(r.score).toBeGreaterThan(0.8);
  });

  it('flags spam by words and by shape (links, hashtag stuffing, campaign copies)', () => {
    expect(assess('Click here for free followers!!! https://spam.example/a').flags).toEqual(['spam']);
    const stuffed = assess(
      'win #a #b #c #d #e #f #g #h https://x.example/1 https://x.example/2 https://x.example/3',
    );
    expect(stuffed.flags).toEqual(['spam']);
    const copy = 'Best phone cases on the market, check this out https://shop.example/c';
    expect(assess(copy).flags).toEqual([]);
    expect(assess(copy, 'first-id').score).toBeGreaterThan(assess(copy).score);
  });

  it('takes extra words from the rules', () => {
    const custom = new RiskModel({ insult: ['numpty'] });
    expect(custom.assess(normaliseTweetText('you absolute numpty'), undefined).flags).toEqual(['insult']);
  });
});

describe('parseBusinessRules', () => {
  it('reads a full rule file and fills defaults', () => {
    const rules = parseBusinessRules({
      alertThreshold: 0.6,
      watchedKeywords: ['recall', 'class action'],
      entities: [{ name: 'Acme', aliases: ['acme corp'] }],
      watchedEntities: ['Acme'],
      extraRiskWords: { spam: ['tap the link'] },
    });
    expect(rules.alertThreshold).toBe(0.6);
    expect(rules.entities).toEqual([{ name: 'Acme', type: 'brand', aliases: ['acme corp'] }]);
    expect(rules.watchedSentimentBelow).toBe(-0.5);
    expect(rules.taxonomy).toBeUndefined();
  });

  it('names the field and the rule on bad input', () => {
    expect(() => parseBusinessRules({ alertThreshold: 2 })).toThrow(
      'rules.alertThreshold: must be a number from 0 to 1',
    );
    expect(() => parseBusinessRules({ watchedKeywords: ['ok', ''] })).toThrow(
      'rules.watchedKeywords[1]: must be a non-empty string',
    );
    expect(() => parseBusinessRules({ watchedEntities: ['Nope'] })).toThrow(/watchedEntities\[0\]/);
    expect(() => parseBusinessRules({ alertTreshold: 0.5 })).toThrow(
      'rules.alertTreshold: is not a known setting',
    );
    expect(() => parseBusinessRules({ extraRiskWords: { rude: ['x'] } })).toThrow(/extraRiskWords\.rude/);
    expect(() => parseBusinessRules([])).toThrow('rules.(root): must be an object');
  });
});
