import { type Command, InvalidArgumentError } from 'commander';
import { resolveLoadTarget } from './endpoint.ts';
import { type Progress, runLoad } from './load-runner.ts';

const number =
  (name: string, min: number) =>
  (raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new InvalidArgumentError(`${name} must be a number >= ${min}`);
    return value;
  };

/** `spate load`: simulated shoppers and a tweet stream against any Spate endpoint. */
export function registerLoad(program: Command): void {
  program
    .command('load')
    .description(
      'Send realistic e-commerce traffic and tweets to a Spate endpoint (default: the local stack)',
    )
    .option('--endpoint <url>', 'Spate HTTP endpoint (default: http from .local/endpoints.json)')
    .option('--write-key <key>', 'write key (default: writeKey from .local/endpoints.json)')
    .option('--data-dir <dir>', 'where endpoints.json lives', '.local')
    .option('--rate <n>', 'shop events per second', number('--rate', 0), 200)
    .option('--duration <s>', 'seconds to run; 0 runs until Ctrl-C', number('--duration', 0), 60)
    .option('--users <n>', 'distinct shoppers', number('--users', 1), 5000)
    .option('--tweets-rate <n>', 'tweets per second', number('--tweets-rate', 0), 0)
    .option('--seed <n>', 'same seed, same traffic', number('--seed', 0), 42)
    .option('--spike', 'a 10x surge through the middle fifth of the run')
    .option('--batch-size <n>', 'events per request', number('--batch-size', 1), 100)
    .option('--concurrency <n>', 'requests in flight at most', number('--concurrency', 1), 16)
    .option('--json', 'end with one JSON line of results on stdout')
    .action(async (flags) => {
      let target: ReturnType<typeof resolveLoadTarget>;
      try {
        target = resolveLoadTarget(flags, flags.dataDir);
      } catch (err) {
        process.stderr.write(`spate load: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const report = await runLoad(
        {
          ...target,
          rate: flags.rate,
          durationS: flags.duration,
          users: Math.floor(flags.users),
          tweetsRate: flags.tweetsRate,
          seed: Math.floor(flags.seed),
          spike: Boolean(flags.spike),
          batchSize: Math.min(1000, Math.floor(flags.batchSize)),
          concurrency: Math.floor(flags.concurrency),
        },
        { signal: controller.signal, onProgress: (p) => process.stderr.write(`\r${progressLine(p)}`) },
      );
      process.stderr.write('\n');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        process.stdout.write(
          `sent ${report.sent}  accepted ${report.accepted}  rejected ${report.rejected}  refused ${report.refused}  ` +
            `${report.events_per_s} events/s  latency p50 ${report.latency_ms.p50} ms  p99 ${report.latency_ms.p99} ms  ` +
            `tweets ${report.tweets.accepted}/${report.tweets.sent}\n`,
        );
      }
    });
}

function progressLine(p: Progress): string {
  return (
    `${p.elapsedS.toFixed(0).padStart(4)} s  target ${p.targetRate}/s  sent ${p.events.sent}  ` +
    `accepted ${p.events.accepted}  rejected ${p.events.rejected}  refused ${p.events.refused}  ` +
    `tweets ${p.tweets.accepted}  p99 ${p.p99.toFixed(1)} ms   `
  );
}
