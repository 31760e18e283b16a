import type { EnrichedTweet } from '../nlp/enriched-tweet.ts';
import { TWEET_PROJECT_RULE, tweetProjectOf } from '../nlp/tweet-project.ts';
import { parseJsonRecord } from './json-record.ts';

/** One enriched tweet with the position it had on its tweets.enriched partition. */
export interface PositionedTweet {
  readonly offset: number;
  readonly tweet: EnrichedTweet;
  /** When it was posted (createdAt), else when it was enriched, in epoch ms. */
  readonly timeMs: number;
}

export type DecodedTweet =
  | { readonly ok: true; readonly tweet: EnrichedTweet; readonly timeMs: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The NLP worker validated the tweet before it reached tweets.enriched, so only what the tiers
 * rely on is checked again here: a record from an older or foreign producer must not poison a
 * batch. Fields the tiers can do without (entities, topics, risk) default when absent; a record
 * without a project (written before tweets carried one) is the default project's, and the tweet
 * returned names it, so every tier files it under the same project.
 */
export function decodeEnrichedTweet(text: string): DecodedTweet {
  const parsed = parseJsonRecord(text);
  if (!parsed.ok) return parsed;
  const v = parsed.record;
  if (typeof v.id !== 'string' || v.id === '') return { ok: false, reason: 'id: must be a non-empty string' };
  const sentiment = v.sentiment as { score?: unknown; label?: unknown } | undefined;
  if (typeof sentiment?.score !== 'number' || typeof sentiment.label !== 'string')
    return { ok: false, reason: 'sentiment: must carry a numeric score and a label' };
  const when = typeof v.createdAt === 'string' ? v.createdAt : v.enrichedAt;
  const timeMs = typeof when === 'string' ? Date.parse(when) : Number.NaN;
  if (!Number.isFinite(timeMs))
    return { ok: false, reason: 'createdAt/enrichedAt: must be an ISO 8601 date-time' };
  const project = tweetProjectOf(v.project);
  if (project === undefined) return { ok: false, reason: `project: ${TWEET_PROJECT_RULE}` };
  const tweet = (v.project === project ? v : { ...v, project }) as unknown as EnrichedTweet;
  return { ok: true, tweet, timeMs };
}

export function positionedTweet(
  text: string,
  offset: number,
): { ok: true; value: PositionedTweet } | { ok: false; reason: string } {
  const decoded = decodeEnrichedTweet(text);
  return decoded.ok
    ? { ok: true, value: { offset, tweet: decoded.tweet, timeMs: decoded.timeMs } }
    : { ok: false, reason: decoded.reason };
}

/** Hashtags in lower case, each once; the worker lower-cases them, older producers may not. */
export function tweetHashtags(tweet: EnrichedTweet): string[] {
  const entities = tweet.entities as { hashtags?: unknown } | undefined;
  const tags = Array.isArray(entities?.hashtags)
    ? entities.hashtags.filter((h): h is string => typeof h === 'string')
    : [];
  return [...new Set(tags.map((h) => h.toLowerCase()))];
}

/** Topic -> score, only the well-formed entries. */
export function tweetTopics(tweet: EnrichedTweet): [string, number][] {
  const topics = tweet.topics as unknown;
  if (topics === null || typeof topics !== 'object' || Array.isArray(topics)) return [];
  return Object.entries(topics as Record<string, unknown>).map(([t, s]) => [
    t,
    typeof s === 'number' && Number.isFinite(s) ? s : 0,
  ]);
}

export function tweetRiskScore(tweet: EnrichedTweet): number {
  const risk = tweet.risk as { score?: unknown } | undefined;
  return typeof risk?.score === 'number' && Number.isFinite(risk.score) ? risk.score : 0;
}

/** The highest probability among the toxicity kinds the worker flagged; 0 when none is (or the record predates toxicity). */
export function tweetFlaggedToxicity(tweet: EnrichedTweet): number {
  const toxicity = tweet.toxicity as { flags?: unknown } | undefined;
  if (!Array.isArray(toxicity?.flags)) return 0;
  let max = 0;
  for (const kind of toxicity.flags) {
    const p = typeof kind === 'string' ? (toxicity as Record<string, unknown>)[kind] : undefined;
    if (typeof p === 'number' && Number.isFinite(p)) max = Math.max(max, Math.min(1, p));
  }
  return max;
}
