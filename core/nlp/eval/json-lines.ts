/** One object of a JSON Lines file, with where it came from (`source:line`) for its errors. */
export interface JsonLine {
  readonly where: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The objects of a JSON Lines text, blank lines skipped. A line that is not a JSON object is an
 * error naming its source and line: labelled data is read whole or not at all.
 */
export function* jsonObjectLines(content: string, source: string): Generator<JsonLine> {
  for (const [i, line] of content.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error(`${where}: must be a JSON object`);
    yield { where, fields: value as Record<string, unknown> };
  }
}
