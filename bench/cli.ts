import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';

/** `spate bench`: the end-to-end benchmark on a local stack of its own; writes bench/report.json and REPORT.md. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure stage limits, sustained rate, latency, a 10x spike and NLP rates on the local stack',
    )
    .option('--quick', 'a short run (under 3 minutes)')
    .option('--sustained-only', 'only the climbs to the sustained rate; writes bench/sustained.json')
    .option('--from <rate>', 'with --sustained-only: the first step, events/s', positiveNumber, 2000)
    .option(
      '--factor <x>',
      'with --sustained-only: each step is the last one times this (> 1)',
      positiveNumber,
      1.5,
    )
    .option(
      '--climbs <n>',
      'with --sustained-only: how many climbs (the median is reported)',
      positiveNumber,
      3,
    )
    .action(
      async (flags: {
        quick?: boolean;
        sustainedOnly?: boolean;
        from: number;
        factor: number;
        climbs: number;
      }) => {
        if (flags.sustainedOnly) {
          if (flags.factor <= 1) throw new InvalidArgumentError('--factor: must be greater than 1');
          const { runSustained } = await import('./sustained.ts');
          await runSustained({
            root: join(import.meta.dirname, '..'),
            start: flags.from,
            factor: flags.factor,
            repeats: Math.round(flags.climbs),
            say: (line) => process.stderr.write(`[bench] ${line}\n`),
          });
          return;
        }
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
      },
    );
}

function positiveNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}
