import type { TweetEntities } from './entities.ts';
import type { LanguageTag } from './language.ts';
import type { RiskAssessment } from './risk.ts';
import type { Sentiment } from './sentiment.ts';
import type { Toxicity } from './toxicity.ts';

/**
 * The value of a tweets.enriched record (key: the tweet id), JSON, camelCase; written by the
 * NLP worker exactly once per tweet of tweets.raw. Readers code against these names: add
 * fields, never rename them. Example:
 *
 *   {"project":"shop","id":"1800000000000042","text":"Still waiting for my @acme package, day 6... 😡 https://acme.example/track #shipping",
 *    "user":"jo","createdAt":"2026-11-21T06:00:00.000Z",
 *    "cleanText":"Still waiting for my package, day 6... angry shipping",
 *    "lang":{"lang":"en","reliable":true,"target":true},"duplicateOf":null,"retweet":false,
 *    "entities":{"hashtags":["shipping"],"mentions":["acme"],"cashtags":[],"domains":["acme.example"],"known":[]},
 *    "emoji":["😡"],"sentiment":{"score":-0.5106,"label":"negative","model":"lexicon"},
 *    "topics":{"shipping":0.933},"risk":{"score":0,"flags":[]},
 *    "toxicity":{"offensive":0.0412,"hate":0.0031,"flags":[]},"enrichedAt":"2026-11-21T06:00:00.120Z"}
 */
export interface EnrichedTweet {
  /**
   * Any other field the producer sent on tweets.raw, passed through as-is (e.g. `hashtags`,
   * `followers`); a producer field named like one below is replaced by the worker's value.
   */
  readonly [field: string]: unknown;
  /**
   * The project of the write key that sent the tweet (core/nlp/tweet-project.ts); the worker
   * writes it first, so a reader can find it without parsing the record. Records written before
   * tweets carried a project may lack it: readers take those as the default project.
   */
  readonly project: string;
  /** The tweet id, as on tweets.raw (numbers become their decimal string). */
  readonly id: string;
  /** The original text, untouched. */
  readonly text: string;
  /** The author's screen name (or id) when the producer sent one. */
  readonly user?: string;
  /** When the tweet was posted (ISO 8601), from `created_at` or `createdAt` on tweets.raw. */
  readonly createdAt?: string;
  /** HTML entities decoded, URLs and @mentions removed, '#' dropped, emoji as words, elongations undone; case kept. */
  readonly cleanText: string;
  /** Detected language (ISO 639-1 or 'und'); `target` is whether the sentiment models were made for it. */
  readonly lang: LanguageTag;
  /** Id of the first tweet in the recent window with near-identical text (retweet echo, copy-paste), else null. */
  readonly duplicateOf: string | null;
  /** The text starts with "RT @user:". */
  readonly retweet: boolean;
  /** Hashtags and mentions (lower case), cashtags (upper case), URL domains, and known entities from the rules. */
  readonly entities: TweetEntities;
  /** The emoji in the text, in order. */
  readonly emoji: readonly string[];
  /** `score` in [-1, 1], `label` negative/neutral/positive, and the backend that scored it ('lexicon' or 'onnx'). */
  readonly sentiment: Sentiment & { readonly model: string };
  /** Taxonomy topic -> score in (0, 1]; only topics that matched. */
  readonly topics: Readonly<Record<string, number>>;
  /** `score` in [0, 1] and the flags behind it (insult, threat, profanity, spam). */
  readonly risk: RiskAssessment;
  /**
   * Probabilities in [0, 1] that the tweet is offensive and that it is hate speech, from the
   * model's toxicity heads (from the risk rules when the model has none), and the kinds at or
   * above the worker's threshold (SPATE_NLP_TOXICITY_THRESHOLD, 0.5 by default).
   */
  readonly toxicity: Toxicity;
  /** When the worker enriched it (ISO 8601); latency is `enrichedAt - createdAt`. */
  readonly enrichedAt: string;
}

/** The value of a tweets.alerts record (key: the tweet id): a tweet that crossed a business rule. */
export interface TweetAlert {
  /** The tweet's project, as on its tweets.enriched record. */
  readonly project: string;
  readonly id: string;
  /**
   * Why, in words: risk above the threshold, a watched keyword, a watched entity in a negative
   * tweet, a flagged toxicity kind.
   */
  readonly reasons: readonly string[];
  readonly risk: RiskAssessment;
  readonly toxicity: Toxicity;
  readonly sentiment: Sentiment;
  readonly text: string;
  readonly user?: string;
  /** When the alert was raised (ISO 8601). */
  readonly at: string;
}
