import { jsonObjectLines } from '../eval/json-lines.ts';
import type { HeadSpec } from '../inference/hashed-ngrams.ts';

/**
 * The labelled tweet sets the model is trained on, one JSON object a line: `text`, `label`,
 * and `id` where the source has one. One file per head, named after it (sentiment.jsonl,
 * offensive.jsonl, hate.jsonl).
 */
export const HEADS: readonly HeadSpec[] = [
  { name: 'sentiment', activation: 'softmax', labels: ['negative', 'neutral', 'positive'] },
  { name: 'offensive', activation: 'sigmoid', labels: ['not-offensive', 'offensive'] },
  { name: 'hate', activation: 'sigmoid', labels: ['not-hate', 'hate'] },
];

export interface LabelledRow {
  /** The tweet id where the source has one, else the text: what the split hashes. */
  readonly key: string;
  readonly text: string;
  /** Index into the head's labels. */
  readonly label: number;
}

export function parseLabelledSet(content: string, head: HeadSpec, source: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  for (const { where, fields } of jsonObjectLines(content, source)) {
    const { id, text, label } = fields;
    if (typeof text !== 'string') throw new Error(`${where}: text must be a string`);
    const index = typeof label === 'string' ? head.labels.indexOf(label) : -1;
    if (index < 0) throw new Error(`${where}: label must be one of ${head.labels.join(', ')}`);
    const key = typeof id === 'string' || typeof id === 'number' ? String(id) : text;
    rows.push({ key, text, label: index });
  }
  return rows;
}
