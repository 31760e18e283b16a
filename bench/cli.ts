import { join } from 'node:path';
import type { Command } from 'commander';

/** `spate bench`: the end-to-end benchmark on a local stack of its own; writes bench/report.json and REPORT.md. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure stage limits, sustained rate, latency, a 10x spike and NLP rates on the local stack',
    )
    .option('--quick', 'a short run (under 3 minutes)')
    .action(async (flags: { quick?: boolean }) => {
      // The in-process ingest stage runs the real handler: its per-invocation EMF lines and
      // empty-metrics warnings would be timed as part of the stage, as they are not on Lambda.
      // Powertools reads these when the handler module loads; they are put back before the
      // stack starts, so its processes log and measure as `spate local` does.
      const saved = { ...process.env };
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
      process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
      const { runBench } = await import('./run.ts');
      for (const name of ['POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_LOG_LEVEL']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await runBench({
        quick: Boolean(flags.quick),
        root: join(import.meta.dirname, '..'),
        say: (line) => process.stderr.write(`[bench] ${line}\n`),
      });
    });
}
