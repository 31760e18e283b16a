import type { Command } from 'commander';
import { replayEvents } from '../core/aggregation/replay-batches.ts';
import { readArchiveConfig } from '../io/s3/archive-config.ts';
import { listArchiveKeys, readArchiveObject } from '../io/s3/archive-reader.ts';
import { createS3Client } from '../io/s3/client.ts';
import { createLambdaContext } from '../local/lambda/context.ts';

const REPLAYED_FUNCTIONS = ['realtime', 'windows', 'funnels', 'warehouse'] as const;

/**
 * `spate replay --from-s3 PREFIX`: re-feeds archived events through the aggregators with their
 * original offsets. The functions read their usual environment (SPATE_REDIS_URL, ...).
 */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-feed archived events through the aggregators; already-applied data changes nothing')
    .requiredOption('--from-s3 <prefix>', 'archive prefix, e.g. events/project=shop/dt=2026-01-15/')
    .option('--functions <list>', `comma-separated subset of ${REPLAYED_FUNCTIONS.join(',')}`)
    .option('--batch-size <n>', 'records per invocation', '5000')
    .action(async (options: { fromS3: string; functions?: string; batchSize: string }) => {
      const batchSize = Number(options.batchSize);
      const names = options.functions
        ? options.functions.split(',').map((s) => s.trim())
        : [...REPLAYED_FUNCTIONS];
      const unknown = names.filter((n) => !(REPLAYED_FUNCTIONS as readonly string[]).includes(n));
      if (unknown.length > 0)
        throw new Error(
          `--functions: unknown ${unknown.join(', ')} (known: ${REPLAYED_FUNCTIONS.join(', ')})`,
        );
      const archive = readArchiveConfig(process.env);
      const s3 = createS3Client(archive.s3);
      const keys = await listArchiveKeys(s3, archive.bucket, options.fromS3);
      const rows = (await Promise.all(keys.map((k) => readArchiveObject(s3, archive.bucket, k)))).flat();
      const events = replayEvents(rows, batchSize);
      process.stdout.write(
        `replaying ${rows.length} events from ${keys.length} objects in ${events.length} batches\n`,
      );
      for (const name of names) {
        const module = (await import(`./${name}/handler.ts`)) as {
          handler: (e: unknown, c: ReturnType<typeof createLambdaContext>) => Promise<unknown>;
        };
        for (const event of events) await module.handler(event, createLambdaContext(name));
        process.stdout.write(`${name}: done\n`);
      }
      s3.destroy();
      process.exit(0);
    });
}
