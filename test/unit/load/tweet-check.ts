import { compileSchemaCheck } from '../../../core/events/schema-validator.ts';
import { TweetSchema } from '../../../core/events/tweet.ts';

/** The server's own tweet rule, so generated tweets are checked against what ingest enforces. */
export const checkTweetForTest = compileSchemaCheck(TweetSchema);
