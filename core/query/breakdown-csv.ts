import type { BreakdownRow } from './breakdown-query.ts';

/**
 * One CSV field (RFC 4180). Keys are what visitors sent (campaign names, paths, properties), and
 * a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula:
 * such a text is opened with an apostrophe, which spreadsheets show as text and do not display.
 * Numbers are written as they are.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A breakdown as CSV: a header row naming the dimension and the metric, then one row per key. */
export function breakdownCsv(by: string, metric: string, rows: readonly BreakdownRow[]): string {
  const lines = [
    `${csvField(by)},${csvField(metric)}`,
    ...rows.map((r) => `${csvField(r.key)},${csvField(r.value)}`),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
