import vader from 'vader-sentiment';
import { type Sentiment, sentimentFromScore } from '../sentiment.ts';
import type { SentimentBackend } from './backend.ts';

/**
 * The rule model: VADER (Hutto & Gilbert 2014) over the normalised text, where emoji have
 * already become words VADER scores and elongations are undone. Needs no weights.
 */
export class LexiconBackend implements SentimentBackend {
  readonly name = 'lexicon';
  readonly device = 'rules';

  async infer(texts: readonly string[]): Promise<Sentiment[]> {
    return texts.map((t) => sentimentFromScore(vader.SentimentIntensityAnalyzer.polarity_scores(t).compound));
  }

  lengthOf(): number {
    return 0;
  }

  async close(): Promise<void> {}
}
