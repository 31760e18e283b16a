/** A CSV record grows past this many characters only when a quote was never closed. */
export const MAX_CSV_RECORD_CHARS = 4 * 1024 * 1024;

export type CsvLineResult =
  | { readonly kind: 'record'; readonly values: string[] }
  | { readonly kind: 'partial' }
  | { readonly kind: 'overlong' };

/**
 * CSV (RFC 4180) read one line at a time, so a reader can tell where each record ends in the
 * file: a quoted field may hold the delimiter, `""` for a quote, and line breaks, in which case
 * the record goes on over the next lines. A quote inside an unquoted field is kept as text.
 */
export class CsvRecords {
  private values: string[] = [];
  private field = '';
  private quoted = false;
  private inQuotes = false;
  private chars = 0;

  constructor(private readonly delimiter = ',') {}

  /** One line without its line break. */
  push(line: string): CsvLineResult {
    this.chars += line.length + 1;
    if (this.inQuotes) this.field += '\n';
    // Slices between the characters that matter, not one character at a time: rows are many.
    let i = 0;
    while (i < line.length) {
      if (this.inQuotes) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          this.field += line.slice(i);
          break;
        }
        this.field += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          this.field += '"';
          i = quote + 2;
        } else {
          this.inQuotes = false;
          i = quote + 1;
        }
        continue;
      }
      if (line[i] === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        i += 1;
        continue;
      }
      const delimiter = line.indexOf(this.delimiter, i);
      if (delimiter < 0) {
        this.field += line.slice(i);
        break;
      }
      this.field += line.slice(i, delimiter);
      this.endField();
      i = delimiter + 1;
    }
    if (this.inQuotes) {
      if (this.chars <= MAX_CSV_RECORD_CHARS) return { kind: 'partial' };
      this.reset();
      return { kind: 'overlong' };
    }
    this.endField();
    const values = this.values;
    this.reset();
    return { kind: 'record', values };
  }

  /** True while a quoted field is open across lines. */
  get open(): boolean {
    return this.inQuotes;
  }

  private endField(): void {
    this.values.push(this.field);
    this.field = '';
    this.quoted = false;
  }

  private reset(): void {
    this.values = [];
    this.field = '';
    this.quoted = false;
    this.inQuotes = false;
    this.chars = 0;
  }
}

/** The delimiter of a header line: whichever of `,` `;` tab it holds most of. */
export function guessDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, headerLine.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}
