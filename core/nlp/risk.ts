import type { NormalisedText } from './normalise.ts';
import type { ToxicityProbabilities } from './toxicity.ts';

/**
 * Toxicity and risk: a score in [0, 1] and the flags behind it. Each flag gets its own
 * strength from word lists and simple patterns; they combine as independent evidence
 * (1 - Π(1 - s)), so two moderate signals outrank one.
 */
export type RiskFlag = 'insult' | 'threat' | 'profanity' | 'spam';

export interface RiskAssessment {
  readonly score: number;
  readonly flags: readonly RiskFlag[];
}

/** The assessment, and the rules read as toxicity for when no toxicity model runs. */
export interface RiskReading {
  readonly assessment: RiskAssessment;
  /**
   * offensive: insult, threat and profanity combined; hate: insult and threat (the word lists
   * know no slurs against groups, so this is a weak stand-in that the trained model replaces).
   */
  readonly toxicity: ToxicityProbabilities;
}

export type RiskWords = Readonly<Partial<Record<RiskFlag, readonly string[]>>>;

const BUILT_IN: Record<RiskFlag, readonly string[]> = {
  profanity: [
    'fuck',
    'fucking',
    'fucked',
    'fucker',
    'shit',
    'shitty',
    'bullshit',
    'crap',
    'crappy',
    'damn',
    'dammit',
    'ass',
    'asshole',
    'bitch',
    'bastard',
    'piss',
    'pissed',
    'dick',
    'wtf',
    'stfu',
    'bloody hell',
  ],
  insult: [
    'idiot',
    'idiots',
    'stupid',
    'moron',
    'morons',
    'dumb',
    'loser',
    'losers',
    'pathetic',
    'clown',
    'clowns',
    'incompetent',
    'useless',
    'scum',
    'scammer',
    'scammers',
    'liar',
    'liars',
    'trash',
    'garbage',
    'worthless',
    'imbecile',
    'fool',
    'jerk',
    'asshole',
    'bitch',
  ],
  threat: [
    'kill you',
    'i will kill',
    "i'll kill",
    'gonna kill',
    'going to kill',
    'hurt you',
    'burn down',
    'burn it down',
    'bomb',
    'shoot',
    'shooting',
    'watch your back',
    'you will pay',
    "you'll pay",
    'find where you live',
    'beat you up',
    'destroy you',
    'dead meat',
  ],
  spam: [
    'click here',
    'free followers',
    'follow back',
    'dm me',
    'dm for',
    'giveaway',
    'limited offer',
    'limited time',
    'act now',
    'buy now',
    'earn money',
    'make money',
    'work from home',
    'promo code',
    'crypto',
    'airdrop',
    'free gift',
    'winner',
    'claim your',
    'link in bio',
  ],
};

const BASE: Record<RiskFlag, number> = { profanity: 0.45, insult: 0.55, threat: 0.85, spam: 0.4 };
const SECOND_PERSON = new Set(['you', 'your', "you're", 'youre', 'u', 'ur']);

export class RiskModel {
  private readonly single: Map<string, RiskFlag[]> = new Map();
  private readonly phrases: { phrase: string; flag: RiskFlag }[] = [];

  constructor(extra: RiskWords = {}) {
    for (const flag of Object.keys(BUILT_IN) as RiskFlag[]) {
      for (const entry of [...BUILT_IN[flag], ...(extra[flag] ?? [])]) {
        const words = entry.toLowerCase().trim().split(/\s+/u);
        if (words.length === 1) this.single.set(words[0]!, [...(this.single.get(words[0]!) ?? []), flag]);
        else this.phrases.push({ phrase: ` ${words.join(' ')} `, flag });
      }
    }
  }

  assess(norm: NormalisedText, duplicateOf: string | undefined): RiskAssessment {
    return this.read(norm, duplicateOf).assessment;
  }

  read(norm: NormalisedText, duplicateOf: string | undefined): RiskReading {
    const hits: Record<RiskFlag, number> = { insult: 0, threat: 0, profanity: 0, spam: 0 };
    for (const token of norm.tokens) for (const flag of this.single.get(token) ?? []) hits[flag]++;
    const joined = ` ${norm.tokens.join(' ')} `;
    for (const { phrase, flag } of this.phrases) if (joined.includes(phrase)) hits[flag]++;

    const strength: Record<RiskFlag, number> = { insult: 0, threat: 0, profanity: 0, spam: 0 };
    for (const flag of Object.keys(hits) as RiskFlag[]) {
      if (hits[flag] > 0) strength[flag] = Math.min(0.98, BASE[flag] + 0.15 * (hits[flag] - 1));
    }
    // An insult aimed at someone ("you idiot") is worse than a complaint ("stupid update").
    if (hits.insult > 0 && norm.tokens.some((t) => SECOND_PERSON.has(t))) {
      strength.insult = Math.min(0.98, strength.insult + 0.3);
    }
    // Shouting makes every signal stronger.
    const letters = norm.text.replace(/[^\p{L}]/gu, '');
    if (letters.length >= 12 && letters === letters.toUpperCase()) {
      for (const flag of ['insult', 'threat', 'profanity'] as const) {
        if (strength[flag] > 0) strength[flag] = Math.min(0.98, strength[flag] + 0.1);
      }
    }
    strength.spam = Math.min(0.98, 1 - (1 - strength.spam) * (1 - spamShape(norm, duplicateOf)));

    const flags = (Object.keys(strength) as RiskFlag[]).filter((f) => strength[f] >= 0.5);
    const score = 1 - (Object.values(strength) as number[]).reduce((p, s) => p * (1 - s), 1);
    const hate = 1 - (1 - strength.insult) * (1 - strength.threat);
    return {
      assessment: { score: Math.round(score * 1000) / 1000, flags },
      toxicity: { offensive: 1 - (1 - hate) * (1 - strength.profanity), hate },
    };
  }
}

/** Spam by its shape rather than its words: link and hashtag stuffing, copies of a campaign. */
function spamShape(norm: NormalisedText, duplicateOf: string | undefined): number {
  let s = 0;
  if (norm.urls.length >= 2) s += 0.2 * (norm.urls.length - 1);
  if (norm.hashtags.length >= 5) s += 0.1 * (norm.hashtags.length - 4);
  if (norm.mentions.length >= 5) s += 0.1 * (norm.mentions.length - 4);
  if (duplicateOf !== undefined && !norm.retweet && norm.urls.length > 0) s += 0.4;
  return Math.min(0.9, s);
}
