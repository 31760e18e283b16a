import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One line of the fault table: what was sent and kept through one scenario. */
export interface FaultRow {
  readonly scenario: string;
  readonly sent: number;
  readonly accepted: number;
  /** Per tier, as `hot/warm/cold` (or the enriched tweets for the NLP row). */
  readonly counted: string;
  readonly lost: number;
  readonly duplicated: number;
  readonly recoveryS: number;
  readonly note: string;
}

const HEADER = [
  '| scenario | sent | accepted | counted | lost | duplicated | recovery s | note |',
  '|---|---:|---:|---|---:|---:|---:|---|',
];

function line(row: FaultRow): string {
  return `| ${row.scenario} | ${row.sent} | ${row.accepted} | ${row.counted} | ${row.lost} | ${row.duplicated} | ${row.recoveryS.toFixed(1)} | ${row.note} |`;
}

export function formatTable(rows: readonly FaultRow[]): string {
  return [...HEADER, ...rows.map(line)].join('\n');
}

/**
 * Puts the row into the table of `file` (replacing the scenario's earlier row), so the
 * scenario files, each run in its own worker, build one table between them.
 */
export function recordRow(file: string, row: FaultRow, preamble: string): string {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const kept = lines.filter(
    (l) => l.startsWith('| ') && !l.startsWith('| scenario ') && !l.startsWith(`| ${row.scenario} |`),
  );
  const table = [...HEADER, ...kept, line(row)].join('\n');
  writeFileSync(file, `${preamble}\n\n${table}\n`);
  return table;
}
