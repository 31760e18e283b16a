import type { SentimentLabel } from '../sentiment.ts';

/**
 * The model-independent parts of running a sequence classifier: reading its labels,
 * padding a batch, turning logits into probabilities.
 */

const LABEL_NAMES: Readonly<Record<string, SentimentLabel>> = {
  negative: 'negative',
  neg: 'negative',
  neutral: 'neutral',
  neu: 'neutral',
  positive: 'positive',
  pos: 'positive',
};

/** config.json's id2label, in class-index order, as sentiment labels. */
export function sentimentLabelMap(id2label: unknown): SentimentLabel[] {
  if (typeof id2label !== 'object' || id2label === null) {
    throw new Error('config.json id2label: must be an object of class index to label');
  }
  const entries = Object.entries(id2label as Record<string, unknown>).sort(
    (a, b) => Number(a[0]) - Number(b[0]),
  );
  const labels = entries.map(([index, name], position) => {
    if (Number(index) !== position)
      throw new Error(`config.json id2label: indices must run 0..${entries.length - 1}`);
    const label = typeof name === 'string' ? LABEL_NAMES[name.toLowerCase()] : undefined;
    if (label === undefined) {
      throw new Error(
        `config.json id2label.${index}: "${String(name)}" is not negative/neutral/positive (or neg/neu/pos)`,
      );
    }
    return label;
  });
  if (!labels.includes('negative') || !labels.includes('positive')) {
    throw new Error('config.json id2label: needs at least a negative and a positive class');
  }
  return labels;
}

const POSITIVE_NAMES: Readonly<Record<'offensive' | 'hate', readonly string[]>> = {
  offensive: ['offensive', 'off', 'label_1'],
  hate: ['hate', 'hateful', 'label_1'],
};

/**
 * The class index of "yes" in a two-class toxicity head's id2label: "offensive" beside
 * "non-offensive" (cardiffnlp/twitter-roberta-base-offensive), "HATE" beside "NOT-HATE"
 * (cardiffnlp/twitter-roberta-base-hate-latest), OLID's OFF/NOT, or LABEL_1 of an export
 * that kept the default names.
 */
export function toxicityLabelIndex(id2label: unknown, kind: 'offensive' | 'hate'): number {
  if (typeof id2label !== 'object' || id2label === null) {
    throw new Error('config.json id2label: must be an object of class index to label');
  }
  const entries = Object.entries(id2label as Record<string, unknown>).sort(
    (a, b) => Number(a[0]) - Number(b[0]),
  );
  if (entries.length !== 2 || entries.some(([index], position) => Number(index) !== position)) {
    throw new Error(`config.json id2label: a ${kind} head must have exactly classes 0 and 1`);
  }
  const names = entries.map(([, name]) => (typeof name === 'string' ? name.toLowerCase() : ''));
  const hits = names.flatMap((name, i) => (POSITIVE_NAMES[kind].includes(name) ? [i] : []));
  if (hits.length !== 1) {
    throw new Error(
      `config.json id2label: ${JSON.stringify(Object.fromEntries(entries))} has no single "${kind}" class (expected e.g. non-${kind}/${kind})`,
    );
  }
  return hits[0]!;
}

export interface PaddedBatch {
  readonly width: number;
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
}

/**
 * Pads to `width`, by default the longest sequence (at most maxLength; longer ones keep their
 * last token, e.g. [SEP]). A length-batching plan passes its run's width, rounded up on CUDA.
 */
export function padBatch(
  sequences: readonly (readonly number[])[],
  maxLength: number,
  padId: number,
  width = Math.max(1, Math.min(maxLength, Math.max(...sequences.map((s) => s.length)))),
): PaddedBatch {
  const inputIds = new BigInt64Array(sequences.length * width).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(sequences.length * width);
  for (const [row, seq] of sequences.entries()) {
    const n = Math.min(seq.length, width);
    for (let i = 0; i < n; i++) {
      const id = i === n - 1 && seq.length > width ? seq[seq.length - 1]! : seq[i]!;
      inputIds[row * width + i] = BigInt(id);
      attentionMask[row * width + i] = 1n;
    }
  }
  return { width, inputIds, attentionMask };
}

export function softmaxRows(logits: ArrayLike<number>, rows: number, classes: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]!);
    const exps: number[] = [];
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[r * classes + c]! - max);
      exps.push(e);
      sum += e;
    }
    out.push(exps.map((e) => e / sum));
  }
  return out;
}
