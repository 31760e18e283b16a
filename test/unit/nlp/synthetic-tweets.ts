import { seededRandom } from '../../../core/seeded-random.ts';

/**
 * Labelled tweets made up for the tests, one set per head, in the training files' shape: a
 * few filler words around marker words that decide the label. Written here so no test needs
 * the real labelled data (which the repository must not hold).
 */
const FILLER = [
  'the',
  'train',
  'arrives',
  'at',
  'noon',
  'meeting',
  'today',
  'report',
  'update',
  'station',
  'weekend',
  'city',
  'new',
  'app',
  'version',
  'team',
  'match',
  'tonight',
  'coffee',
  'morning',
];
const MARKERS: Readonly<Record<string, readonly string[]>> = {
  positive: ['love', 'great', 'amazing', 'happy', 'best', 'wonderful'],
  negative: ['awful', 'hate', 'worst', 'broken', 'angry', 'terrible'],
  neutral: [],
  offensive: ['idiot', 'moron', 'loser', 'clown', 'dumbass'],
  'not-offensive': [],
  hate: ['zorblax', 'vrenkish', 'glurmans'],
  'not-hate': [],
};

export function syntheticSet(labels: readonly string[], perLabel: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < perLabel; i++) {
    for (const label of labels) {
      const words = Array.from({ length: 4 + Math.floor(random() * 5) }, () => pick(FILLER));
      const markers = MARKERS[label] ?? [];
      if (markers.length > 0) words.splice(Math.floor(random() * words.length), 0, pick(markers));
      if (label === 'hate') words.splice(0, 0, 'send', 'the');
      lines.push(JSON.stringify({ id: `${label}-${i}`, text: words.join(' '), label }));
    }
  }
  return lines;
}

/** The three training files, as `spate nlp train --data` reads them. */
export function syntheticTrainingFiles(perLabel: number, seed: number): Record<string, string> {
  return {
    'sentiment.jsonl': syntheticSet(['negative', 'neutral', 'positive'], perLabel, seed).join('\n'),
    'offensive.jsonl': syntheticSet(['not-offensive', 'offensive'], perLabel, seed + 1).join('\n'),
    'hate.jsonl': syntheticSet(['not-hate', 'hate'], perLabel, seed + 2).join('\n'),
  };
}
