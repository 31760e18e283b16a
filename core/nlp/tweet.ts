import { InputError } from '../errors/spate-error.ts';
import { TWEET_PROJECT_RULE, tweetProjectOf } from './tweet-project.ts';

/**
 * The tweet as it arrives on tweets.raw, validated at the edge of the NLP worker. Producers
 * differ (the firehose, `spate load`, replays), so only `id` and `text` are required and the
 * rest is carried through untouched.
 */
export interface RawTweet {
  readonly id: string;
  readonly text: string;
  /** The project of the write key that sent it; the default project when the producer named none (tweet-project.ts). */
  readonly project: string;
  readonly user?: string;
  readonly createdAt?: string;
  /** Everything else the producer sent, passed on to tweets.enriched as-is. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export class TweetFormatError extends InputError {
  override readonly name = 'TweetFormatError';
  override readonly field: string;
  override readonly rule: string;

  constructor(field: string, rule: string) {
    super(`tweet.${field}: ${rule}`, { field, rule });
    this.field = field;
    this.rule = rule;
  }
}

const MAX_TEXT_CHARS = 10_000;

export function parseRawTweet(value: unknown): RawTweet {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TweetFormatError('(root)', 'must be a JSON object');
  }
  const { id, text, project, user, created_at, createdAt, ...extra } = value as Record<string, unknown>;
  if (typeof id === 'number' && Number.isSafeInteger(id)) {
    return parseRawTweet({ ...(value as object), id: String(id) });
  }
  if (typeof id !== 'string' || id.length === 0)
    throw new TweetFormatError('id', 'must be a non-empty string');
  if (typeof text !== 'string') throw new TweetFormatError('text', 'must be a string');
  if (text.length > MAX_TEXT_CHARS) {
    throw new TweetFormatError('text', `must be at most ${MAX_TEXT_CHARS} characters`);
  }
  const projectName = tweetProjectOf(project);
  if (projectName === undefined) throw new TweetFormatError('project', TWEET_PROJECT_RULE);
  const userName = typeof user === 'string' ? user : userScreenName(user);
  const created = created_at ?? createdAt;
  return {
    id,
    text,
    project: projectName,
    ...(userName !== undefined ? { user: userName } : {}),
    ...(typeof created === 'string' ? { createdAt: created } : {}),
    ...(typeof created === 'number' ? { createdAt: new Date(created).toISOString() } : {}),
    extra,
  };
}

/** Twitter's own shape nests the author as an object. */
function userScreenName(user: unknown): string | undefined {
  if (typeof user !== 'object' || user === null) return undefined;
  const u = user as Record<string, unknown>;
  const name = u.screen_name ?? u.username ?? u.id;
  return typeof name === 'string' ? name : undefined;
}
