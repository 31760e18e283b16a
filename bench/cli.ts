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
      const { runBench } = await import('./run.ts');
      await runBench({
        quick: Boolean(flags.quick),
        root: join(import.meta.dirname, '..'),
        say: (line) => process.stderr.write(`[bench] ${line}\n`),
      });
    });
}
