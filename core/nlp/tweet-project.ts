/**
 * Which project a tweet belongs to: the project of the write key that sent it to
 * `POST /v1/tweets`. Ingest puts it on tweets.raw, the NLP worker writes it on every
 * tweets.enriched and tweets.alerts record, and the tiers and the broadcaster keep each
 * project's tweets apart, as they do events.
 *
 * A tweet that names no project (produced straight to tweets.raw, or a tweets.enriched record
 * written before tweets carried one) belongs to DEFAULT_TWEET_PROJECT. Every reader applies
 * this one rule, so such a tweet is counted, stored, archived and pushed under the same
 * project everywhere; a dashboard of the project named `default` shows them.
 */
export const DEFAULT_TWEET_PROJECT = 'default';

/** The project a tweet record names, the default when it names none; undefined when the field is malformed. */
export function tweetProjectOf(project: unknown): string | undefined {
  if (project === undefined || project === null) return DEFAULT_TWEET_PROJECT;
  return typeof project === 'string' && project !== '' ? project : undefined;
}

/** The rule broken by a project that `tweetProjectOf` refuses. */
export const TWEET_PROJECT_RULE = 'must be a non-empty string when present';
