import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
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

  lengthOf(text: string): number {
    return this.sentiment.tokenCount(text);
  }

  async infer(texts: readonly string[]): Promise<ModelScores[]> {
    if (texts.length === 0) return [];
    const [sentiment, offensive, hate] = await Promise.all([
      this.sentiment.probabilities(texts),
      this.toxicity?.offensive.session.probabilities(texts),
      this.toxicity?.hate.session.probabilities(texts),
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
