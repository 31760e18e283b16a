import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import type { TokenCounts } from '../../core/nlp/inference/length-batches.ts';
import { sentimentLabelMap, toxicityLabelIndex } from '../../core/nlp/inference/sequence-classifier.ts';
import { type OnnxBackendOptions, SequenceClassifierSession, sentimentFromLabels } from './onnx-backend.ts';

/**
 * One Hugging Face sequence-classification export per head, as a deploy uploads them:
 *
 *   <model dir>/sentiment/   e.g. cardiffnlp/twitter-roberta-base-sentiment-latest
 *   <model dir>/offensive/   e.g. cardiffnlp/twitter-roberta-base-offensive
 *   <model dir>/hate/        e.g. cardiffnlp/twitter-roberta-base-hate-latest
 *
 * each holding model.onnx (and/or model_fp16.onnx), tokenizer.json and config.json. Labels are
 * read from each config.json's id2label: sentiment's to negative/neutral/positive, the
 * toxicity heads' "yes" class to toxicity.offensive and toxicity.hate. Without both toxicity
 * heads, toxicity comes from the risk rules.
 *
 * A micro-batch is tokenized once: cardiffnlp's heads are all RoBERTa-base fine-tunes with
 * RoBERTa's tokenizer, so a head whose tokenizer is the sentiment head's (tokenizerIdentity)
 * takes its ids instead of encoding every tweet again.
 */
export const HEAD_DIRS = { sentiment: 'sentiment', offensive: 'offensive', hate: 'hate' } as const;

export function isTransformerHeadsDir(dir: string): boolean {
  return existsSync(join(dir, HEAD_DIRS.sentiment, 'config.json'));
}

interface ToxicityHead {
  readonly session: SequenceClassifierSession;
  readonly yes: number;
}

export class TransformerHeadsBackend implements SentimentBackend {
  readonly name = 'onnx';

  private constructor(
    private readonly sentiment: SequenceClassifierSession,
    private readonly sentimentLabels: ReturnType<typeof sentimentLabelMap>,
    private readonly toxicity: { offensive: ToxicityHead; hate: ToxicityHead } | undefined,
  ) {}

  get device(): string {
    return this.sentiment.device;
  }

  static async load(dir: string, options: OnnxBackendOptions): Promise<TransformerHeadsBackend> {
    const sentiment = await SequenceClassifierSession.load(join(dir, HEAD_DIRS.sentiment), options);
    const labels = sentimentLabelMap(sentiment.id2label);
    const has = (head: string) => existsSync(join(dir, head, 'config.json'));
    if (has(HEAD_DIRS.offensive) !== has(HEAD_DIRS.hate)) {
      await sentiment.close();
      throw new Error(`model directory ${dir}: needs both offensive/ and hate/ heads, or neither`);
    }
    if (!has(HEAD_DIRS.offensive)) return new TransformerHeadsBackend(sentiment, labels, undefined);
    const head = async (kind: 'offensive' | 'hate'): Promise<ToxicityHead> => {
      const session = await SequenceClassifierSession.load(join(dir, HEAD_DIRS[kind]), options);
      return { session, yes: toxicityLabelIndex(session.id2label, kind) };
    };
    return new TransformerHeadsBackend(sentiment, labels, {
      offensive: await head('offensive'),
      hate: await head('hate'),
    });
  }

  private get sessions(): SequenceClassifierSession[] {
    const t = this.toxicity;
    return t === undefined ? [this.sentiment] : [this.sentiment, t.offensive.session, t.hate.session];
  }

  /** What the heads' models were fed so far, all heads together. */
  get tokenCounts(): TokenCounts {
    const sum = { runs: 0, rows: 0, realTokens: 0, paddedTokens: 0 };
    for (const s of this.sessions) {
      const c = s.tokenCounts;
      sum.runs += c.runs;
      sum.rows += c.rows;
      sum.realTokens += c.realTokens;
      sum.paddedTokens += c.paddedTokens;
    }
    return sum;
  }

  /** Texts tokenized so far, all heads together: one per tweet when the heads share a tokenizer. */
  get tokenizedTexts(): number {
    return this.sessions.reduce((n, s) => n + s.tokenizedTexts, 0);
  }

  /** 0 while the heads batch by length themselves: the micro-batcher then hands them whole flushes. */
  lengthOf(text: string): number {
    return this.sentiment.batchesByLength ? 0 : this.sentiment.tokenCount(text);
  }

  async infer(texts: readonly string[]): Promise<ModelScores[]> {
    if (texts.length === 0) return [];
    const ids = this.sentiment.encode(texts);
    const probabilities = (head: SequenceClassifierSession) =>
      head.probabilitiesOf(head.tokenizerKey === this.sentiment.tokenizerKey ? ids : head.encode(texts));
    const [sentiment, offensive, hate] = await Promise.all([
      this.sentiment.probabilitiesOf(ids),
      this.toxicity && probabilities(this.toxicity.offensive.session),
      this.toxicity && probabilities(this.toxicity.hate.session),
    ]);
    return sentiment.map((row, i) => {
      const scores: ModelScores = { sentiment: sentimentFromLabels(this.sentimentLabels, row) };
      if (this.toxicity === undefined || offensive === undefined || hate === undefined) return scores;
      return {
        ...scores,
        toxicity: {
          offensive: offensive[i]![this.toxicity.offensive.yes]!,
          hate: hate[i]![this.toxicity.hate.yes]!,
        },
      };
    });
  }

  async close(): Promise<void> {
    await this.sentiment.close();
    await this.toxicity?.offensive.session.close();
    await this.toxicity?.hate.session.close();
  }
}
