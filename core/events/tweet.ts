import { type Static, Type } from '@sinclair/typebox';

export const TweetSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' }),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    lang: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' })),
    user: Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 64 }),
        followers: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    created_at: Type.String({ format: 'date-time' }),
    hashtags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 140 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export type Tweet = Static<typeof TweetSchema>;

/** The value on tweets.raw: the tweet as sent, plus when and for whom it arrived. */
export interface ReceivedTweet extends Tweet {
  readonly project: string;
  readonly received_at: string;
}

/** tweets.raw key: the language (or first hashtag), so per-language models see their stream in order. */
export function tweetKey(tweet: Tweet): string {
  return tweet.lang ?? tweet.hashtags?.[0]?.toLowerCase() ?? 'und';
}
