/**
 * chDB (3.x) writes a `FORMAT JSON` answer of a `WITH TOTALS` query that found no rows out of
 * order: the end of the empty `data` array and the `totals` object come first, then the answer
 * from its opening brace, with nothing between `"data": [` and `, "rows"`. ClickHouse writes
 * `{"meta": ..., "data": [], "totals": {...}, "rows": 0, ...}`; clients (@clickhouse/client's
 * json()) fail on chDB's text, and an overview of a range without events read as a down tier.
 * This puts the leading part back where ClickHouse writes it. Any other output, and a repair
 * that would not parse, is left exactly as chDB wrote it.
 */
const OPENING = '{\n\t"meta":';
const DATA = '"data":\n\t[\n';

export function repairEmptyTotals(format: string, output: Uint8Array): Uint8Array {
  if (format !== 'JSON' || output[0] === 0x7b /* { */) return output;
  const text = Buffer.from(output).toString('utf8');
  const opening = text.indexOf(OPENING);
  if (opening <= 0 || !text.startsWith('\n\t],') || !text.includes('"totals":')) return output;
  const misplaced = text.slice(0, opening);
  const answer = text.slice(opening);
  const data = answer.indexOf(DATA);
  if (data === -1) return output;
  const at = data + DATA.length;
  const repaired = `${answer.slice(0, at)}${misplaced}${answer.slice(at)}`;
  try {
    JSON.parse(repaired);
  } catch {
    return output;
  }
  return Buffer.from(repaired, 'utf8');
}
