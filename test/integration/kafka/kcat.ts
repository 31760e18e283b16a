import { type ProcessResult, runProcess } from '../../support/run-process.ts';

/** Runs kcat without blocking the event loop (the broker under test shares it). */
export function kcat(args: string[], input?: string, timeoutMs = 60_000): Promise<ProcessResult> {
  return runProcess('kcat', args, { ...(input === undefined ? {} : { input }), timeoutMs });
}
