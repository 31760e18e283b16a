/**
 * VADER's lexicon file (vader_lexicon.txt, shipped in the Apache-2.0 vader-sentiment
 * package): one "token<TAB>mean valence<TAB>..." per line. The worker reads the file; this
 * parses it, so normalisation can ask whether a word is one the lexicon scores.
 */
export function parseVaderLexicon(text: string): Map<string, number> {
  const lexicon = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [token, valence] = line.split('\t');
    if (token === undefined || valence === undefined) continue;
    const v = Number(valence);
    if (Number.isFinite(v)) lexicon.set(token, v);
  }
  return lexicon;
}
