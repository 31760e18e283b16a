import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseVaderLexicon } from '../../core/nlp/inference/vader-lexicon.ts';

/** VADER's lexicon as shipped in the vader-sentiment package, read once per process. */
export function loadVaderLexicon(): Map<string, number> {
  const path = createRequire(import.meta.url).resolve('vader-sentiment/vader_lexicon.txt');
  return parseVaderLexicon(readFileSync(path, 'utf8'));
}
