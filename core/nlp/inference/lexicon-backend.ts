import { sentimentFromScore } from '../sentiment.ts';
import type { ModelScores, SentimentBackend } from './backend.ts';
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

  /** Sentiment only: the enricher reads toxicity from the risk rules, which it runs anyway. */
  async infer(texts: readonly string[]): Promise<ModelScores[]> {
    const out: ModelScores[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++)
      out[i] = { sentiment: sentimentFromScore(this.vader.compound(texts[i]!)) };
    return out;
  }

  lengthOf(): number {
    return 0;
  }

  async close(): Promise<void> {}
}
