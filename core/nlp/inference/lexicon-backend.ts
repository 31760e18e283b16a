import { type Sentiment, sentimentFromScore } from '../sentiment.ts';
import type { SentimentBackend } from './backend.ts';
import { VaderScorer } from './vader.ts';

/**
 * The rule model: VADER (Hutto & Gilbert 2014) over the normalised text, where emoji have
 * already become words VADER scores and elongations are undone. Needs no weights, only
 * VADER's lexicon (vader_lexicon.txt, parsed by parseVaderLexicon).
 */
export class LexiconBackend implements SentimentBackend {
  readonly name = 'lexicon';
  readonly device = 'rules';
  private readonly vader: VaderScorer;

  constructor(lexicon: ReadonlyMap<string, number>) {
    this.vader = new VaderScorer(lexicon);
  }

  async infer(texts: readonly string[]): Promise<Sentiment[]> {
    const out: Sentiment[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) out[i] = sentimentFromScore(this.vader.compound(texts[i]!));
    return out;
  }

  lengthOf(): number {
    return 0;
  }

  async close(): Promise<void> {}
}
