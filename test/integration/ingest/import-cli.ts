import { fileURLToPath } from 'node:url';
import { TOPICS } from '../../../core/topics.ts';
import { type ProcessResult, runProcess } from '../../support/run-process.ts';
import { readTopicToEnd } from './topic-reader.ts';

/** The `spate` command as a user runs it. */
export const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));
export const DAY_MS = 24 * 3600 * 1000;
export const FROM_1996 = Date.UTC(1996, 0, 1);

export function spate(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [SPATE, ...args], { timeoutMs: 45_000 });
}

/** What `spate import --json` prints. */
export interface ImportSummary {
  outcome: string;
  rows: number;
  sent: number;
  accepted: number;
  rejected: number;
  skipped: number;
  clamped: number;
  resumed_after_line: number | null;
  rejected_by_reason: { field: string; rule: string; count: number; samples: { line: number }[] }[];
  skipped_by_reason: { field: string; rule: string; count: number; samples: { line: number }[] }[];
  run: { rows: number; sent: number };
}

export const summaryOf = (result: ProcessResult) => JSON.parse(result.stdout) as ImportSummary;

/** The events.raw records of users whose id starts with `prefix`, and their distinct event ids. */
export async function rawEvents(brokers: string[], prefix: string) {
  const records = (await readTopicToEnd(brokers, TOPICS.eventsRaw.name))
    .map((r) => JSON.parse(r.value) as { event_id: string; user_id: string | null; timestamp: string })
    .filter((e) => e.user_id?.startsWith(prefix));
  return { records: records.length, ids: new Set(records.map((e) => e.event_id)), events: records };
}
