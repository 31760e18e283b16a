import { type BusinessRules, DEFAULT_RULES } from './business-rules.ts';
import type { EnrichedTweet, TweetAlert } from './enriched-tweet.ts';
import { EntityCatalogue, extractEntities, type TweetEntities } from './entities.ts';
import type { ModelScores } from './inference/backend.ts';
import { detectLanguage, type LanguageTag } from './language.ts';
import { DEFAULT_DUPLICATE_WINDOW, DuplicateWindow, type DuplicateWindowOptions } from './near-duplicates.ts';
import { type NormalisedText, normaliseTweetText } from './normalise.ts';
import { type RiskAssessment, RiskModel } from './risk.ts';
import type { Sentiment } from './sentiment.ts';
import { TopicScorer } from './topics.ts';
import { DEFAULT_TOXICITY_THRESHOLD, type ToxicityProbabilities, toxicityOf } from './toxicity.ts';
import type { RawTweet } from './tweet.ts';

/**
 * The enrichment pipeline. `prepare` runs every stage that needs no model (in arrival
 * order: the duplicate window depends on it); the model runs batched on
 * `prepared.modelText`; `complete` joins both and applies the business rules.
 */
export type { EnrichedTweet, TweetAlert } from './enriched-tweet.ts';

export interface PreparedTweet {
  readonly raw: RawTweet;
  readonly norm: NormalisedText;
  /** What the sentiment model reads. */
  readonly modelText: string;
  readonly lang: LanguageTag;
  readonly duplicateOf: string | undefined;
  readonly entities: TweetEntities;
  readonly topics: Record<string, number>;
  readonly risk: RiskAssessment;
  /** The risk rules read as toxicity: what the tweet gets when the model has no toxicity heads. */
  readonly ruleToxicity: ToxicityProbabilities;
}

export interface EnricherOptions {
  readonly targetLanguages: readonly string[];
  readonly isWord?: (word: string) => boolean;
  readonly duplicates?: DuplicateWindowOptions;
  readonly rules?: BusinessRules;
  /** Toxicity probability from which a kind is flagged (and alerted); 0.5 unless set. */
  readonly toxicityThreshold?: number;
}

export class TweetEnricher {
  private readonly targets: ReadonlySet<string>;
  // One window per project: a tweet is a near-duplicate of its own project's tweets only, so
  // one project's traffic never marks another's as spam nor names its tweet ids there.
  private readonly duplicates = new Map<string, DuplicateWindow>();
  private rules!: BusinessRules;
  private catalogue!: EntityCatalogue;
  private topics!: TopicScorer;
  private risk!: RiskModel;
  private watched: readonly string[] = [];
  // A chunk of tweets is completed with one `now`: format it once.
  private lastNow: Date | undefined;
  private lastNowIso = '';

  private readonly toxicityThreshold: number;

  constructor(private readonly options: EnricherOptions) {
    this.targets = new Set(options.targetLanguages);
    this.toxicityThreshold = options.toxicityThreshold ?? DEFAULT_TOXICITY_THRESHOLD;
    this.setRules(options.rules ?? DEFAULT_RULES);
  }

  /** Swaps the business rules between two tweets; used by the hot reload. */
  setRules(rules: BusinessRules): void {
    this.rules = rules;
    this.catalogue = new EntityCatalogue(rules.entities);
    this.topics = new TopicScorer(rules.taxonomy);
    this.risk = new RiskModel(rules.extraRiskWords);
    this.watched = rules.watchedKeywords.map((k) => ` ${k.toLowerCase().split(/\s+/u).join(' ')} `);
  }

  private duplicatesOf(project: string): DuplicateWindow {
    let window = this.duplicates.get(project);
    if (window === undefined) {
      window = new DuplicateWindow(this.options.duplicates ?? DEFAULT_DUPLICATE_WINDOW);
      this.duplicates.set(project, window);
    }
    return window;
  }

  get currentRules(): BusinessRules {
    return this.rules;
  }

  prepare(raw: RawTweet): PreparedTweet {
    const isWord = this.options.isWord;
    const norm = normaliseTweetText(raw.text, isWord === undefined ? {} : { isWord });
    const lang = detectLanguage(norm.words, this.targets);
    const duplicateOf = this.duplicatesOf(raw.project).observe(raw.id, norm.tokens);
    const risk = this.risk.read(norm, duplicateOf);
    return {
      raw,
      norm,
      modelText: norm.text,
      lang,
      duplicateOf,
      entities: extractEntities(norm, this.catalogue),
      topics: this.topics.score([...norm.tokens, ...norm.hashtags]),
      risk: risk.assessment,
      ruleToxicity: risk.toxicity,
    };
  }

  complete(
    p: PreparedTweet,
    scores: ModelScores,
    model: string,
    now: Date = new Date(),
  ): { tweet: EnrichedTweet; alert?: TweetAlert } {
    const { raw } = p;
    if (now !== this.lastNow) {
      this.lastNow = now;
      this.lastNowIso = now.toISOString();
    }
    const at = this.lastNowIso;
    const { sentiment } = scores;
    const toxicity = toxicityOf(scores.toxicity ?? p.ruleToxicity, this.toxicityThreshold);
    const tweet: EnrichedTweet = {
      project: raw.project,
      ...raw.extra,
      id: raw.id,
      text: raw.text,
      ...(raw.user !== undefined ? { user: raw.user } : {}),
      ...(raw.createdAt !== undefined ? { createdAt: raw.createdAt } : {}),
      cleanText: p.norm.text,
      lang: p.lang,
      duplicateOf: p.duplicateOf ?? null,
      retweet: p.norm.retweet,
      entities: p.entities,
      emoji: p.norm.emoji,
      sentiment: { ...sentiment, model },
      topics: p.topics,
      risk: p.risk,
      toxicity,
      enrichedAt: at,
    };
    const reasons = this.alertReasons(p, sentiment);
    for (const kind of toxicity.flags) reasons.push(`toxicity ${kind} ${toxicity[kind]}`);
    if (reasons.length === 0) return { tweet };
    return {
      tweet,
      alert: {
        project: raw.project,
        id: raw.id,
        reasons,
        risk: p.risk,
        toxicity,
        sentiment,
        text: raw.text,
        ...(raw.user !== undefined ? { user: raw.user } : {}),
        at,
      },
    };
  }

  private alertReasons(p: PreparedTweet, sentiment: Sentiment): string[] {
    const reasons: string[] = [];
    if (p.risk.score >= this.rules.alertThreshold)
      reasons.push(`risk ${p.risk.score} (${p.risk.flags.join(', ')})`);
    const joined = ` ${[...p.norm.tokens, ...p.norm.hashtags].join(' ')} `;
    for (const [i, phrase] of this.watched.entries()) {
      if (joined.includes(phrase)) reasons.push(`watched keyword "${this.rules.watchedKeywords[i]}"`);
    }
    if (sentiment.score <= this.rules.watchedSentimentBelow) {
      for (const e of p.entities.known) {
        if (this.rules.watchedEntities.includes(e.name))
          reasons.push(`watched entity "${e.name}" at ${sentiment.score}`);
      }
    }
    return reasons;
  }
}
