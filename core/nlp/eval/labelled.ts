import { SENTIMENT_LABELS, type SentimentLabel, sentimentFromScore } from '../sentiment.ts';
import { jsonObjectLines } from './json-lines.ts';

/**
 * A labelled tweet for evaluation, one JSON Lines record: `{"text", "score"}` with a score
 * in [-1, 1], or `{"text", "label"}` with a 3-class label. A scored record's label follows
 * from its score with VADER's neutral band.
 */
export interface LabelledTweet {
  readonly text: string;
  readonly score?: number;
  readonly label: SentimentLabel;
}

export function parseLabelledJsonl(content: string, source = 'data'): LabelledTweet[] {
  const out: LabelledTweet[] = [];
  for (const { where, fields } of jsonObjectLines(content, source)) {
    const { text, score, label } = fields;
    if (typeof text !== 'string') throw new Error(`${where}: text must be a string`);
    if (score !== undefined) {
      if (typeof score !== 'number' || !(score >= -1 && score <= 1)) {
        throw new Error(`${where}: score must be a number in [-1, 1]`);
      }
      out.push({ text, score, label: sentimentFromScore(score).label });
    } else if (typeof label === 'string' && (SENTIMENT_LABELS as readonly string[]).includes(label)) {
      out.push({ text, label: label as SentimentLabel });
    } else {
      throw new Error(`${where}: needs score (number in [-1, 1]) or label (negative, neutral or positive)`);
    }
  }
  return out;
}
