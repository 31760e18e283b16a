/** How many rows met one reason (field and rule), with the first few lines as samples. */
export interface ReasonCount {
  readonly field: string;
  readonly rule: string;
  count: number;
  readonly samples: { line: number; message: string }[];
}

/**
 * What an import did, in rows of the file: read, sent to the ingest API, accepted, rejected
 * (by the API, by reason), clamped (accepted with their time changed), skipped (not mapped to an
 * event, so never sent). Plain data: the state file keeps it between runs.
 */
export interface ImportTotals {
  rows: number;
  sent: number;
  accepted: number;
  rejected: number;
  clamped: number;
  skipped: number;
  rejections: ReasonCount[];
  clamps: ReasonCount[];
  skips: ReasonCount[];
}

export const SAMPLES_PER_REASON = 5;

export function emptyTotals(): ImportTotals {
  return {
    rows: 0,
    sent: 0,
    accepted: 0,
    rejected: 0,
    clamped: 0,
    skipped: 0,
    rejections: [],
    clamps: [],
    skips: [],
  };
}

/** Counts one row under its reason, keeping its line as a sample while there are few. */
export function countReason(
  reasons: ReasonCount[],
  field: string,
  rule: string,
  line: number,
  message: string,
  count = 1,
): void {
  let reason = reasons.find((r) => r.field === field && r.rule === rule);
  if (!reason) {
    reason = { field, rule, count: 0, samples: [] };
    reasons.push(reason);
  }
  reason.count += count;
  if (reason.samples.length < SAMPLES_PER_REASON) reason.samples.push({ line, message });
}

/** Adds `more` into `into`: the counts, and each reason's samples up to the limit, in line order. */
export function addTotals(into: ImportTotals, more: ImportTotals): ImportTotals {
  into.rows += more.rows;
  into.sent += more.sent;
  into.accepted += more.accepted;
  into.rejected += more.rejected;
  into.clamped += more.clamped;
  into.skipped += more.skipped;
  for (const [mine, theirs] of [
    [into.rejections, more.rejections],
    [into.clamps, more.clamps],
    [into.skips, more.skips],
  ] as const) {
    for (const reason of theirs) {
      const same = mine.find((r) => r.field === reason.field && r.rule === reason.rule);
      if (!same) {
        mine.push({ ...reason, samples: reason.samples.slice(0, SAMPLES_PER_REASON) });
        continue;
      }
      same.count += reason.count;
      const samples = [...same.samples, ...reason.samples].sort((a, b) => a.line - b.line);
      same.samples.splice(0, same.samples.length, ...samples.slice(0, SAMPLES_PER_REASON));
    }
  }
  return into;
}

/** The totals read back from a state file, or undefined when they are not totals. */
export function totalsFrom(value: unknown): ImportTotals | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const t = value as Record<string, unknown>;
  const numbers = ['rows', 'sent', 'accepted', 'rejected', 'clamped', 'skipped'];
  if (!numbers.every((k) => Number.isSafeInteger(t[k]))) return undefined;
  if (!['rejections', 'clamps', 'skips'].every((k) => Array.isArray(t[k]))) return undefined;
  return addTotals(emptyTotals(), value as ImportTotals);
}
