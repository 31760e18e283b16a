import { csvField } from '../../core/query/breakdown-csv.ts';

/**
 * A panel's rows as CSV, written by the same rule as the query API's `format=csv` answers
 * (core/query/breakdown-csv.ts): a header row, RFC 4180 quoting, CRLF line ends, a text that a
 * spreadsheet would run as a formula opened with an apostrophe. A missing figure is empty.
 */
export type CsvCell = string | number | null | undefined;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? csvField(value) : '';
  return csvField(value);
}

export function csvText(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return `${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** A file name from a panel's title: `Top products` → `spate-top-products.csv`. */
export function csvFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `spate-${slug || 'panel'}.csv`;
}

/**
 * A chart's columns as CSV rows: the time (ISO 8601, UTC, whatever the reader's zone) and one
 * column per series; a gap is an empty cell.
 */
export function seriesRows(
  xs: readonly number[],
  series: readonly { readonly values: readonly (number | null)[] }[],
): CsvCell[][] {
  return xs.map((x, i) => [new Date(x * 1000).toISOString(), ...series.map((s) => s.values[i] ?? null)]);
}
