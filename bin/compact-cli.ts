import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { utcDay } from '../core/archive/compaction-plan.ts';
import { compactArchive } from '../io/s3/compaction.ts';
import { connectCompaction, readCompactionConfig } from '../io/s3/compaction-config.ts';
import { onShutdown } from '../local/process-lifecycle.ts';
import type { LocalEndpoints } from '../local/stack/endpoints.ts';

interface CompactFlags {
  before?: string;
  project?: string;
  every?: number;
  dataDir: string;
}

const day = (raw: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || utcDay(Date.parse(`${raw}T00:00:00Z`)) !== raw)
    throw new InvalidArgumentError('--before must be a day, YYYY-MM-DD');
  return raw;
};

const seconds = (raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('--every must be an integer >= 1');
  return n;
};

/**
 * The environment a compaction reads: the process's own, where it names an S3 endpoint or runs
 * on AWS; else the local stack's endpoints from `<dataDir>/endpoints.json`.
 */
export function compactionEnvironment(env: NodeJS.ProcessEnv, dataDir: string): NodeJS.ProcessEnv {
  const file = resolve(dataDir, 'endpoints.json');
  if (env.SPATE_S3_ENDPOINT || env.AWS_LAMBDA_FUNCTION_NAME || !existsSync(file)) return env;
  const local = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  return {
    SPATE_CLICKHOUSE_URL: local.clickhouse,
    SPATE_S3_ENDPOINT: local.s3.endpoint,
    SPATE_ARCHIVE_BUCKET: local.s3.buckets.archive,
    AWS_REGION: local.s3.region,
    ...env,
  };
}

/**
 * `spate compact`: merges the events archive's small objects into one Parquet object per
 * project and month (io/s3/compaction.ts), e.g. right after importing history. `--every N`
 * repeats it every N seconds (the local stack runs it so).
 */
export function registerCompact(program: Command): void {
  program
    .command('compact')
    .description('compact the cold tier: small archive objects into Parquet per project and month')
    .option('--before <day>', 'leave objects of this UTC day and later alone (default: today)', day)
    .option('--project <name>', 'only this project')
    .option('--every <seconds>', 'run again every N seconds, until stopped', seconds)
    .option('--data-dir <dir>', 'where the local stack keeps endpoints.json', '.local')
    .action(async (flags: CompactFlags) => {
      const config = readCompactionConfig(compactionEnvironment(process.env, flags.dataDir));
      const deps = connectCompaction(config);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // Repeating under the local stack's supervisor: stop with it.
      if (flags.every !== undefined) onShutdown(() => deps.close());
      for (;;) {
        const startedMs = Date.now();
        let done = 0;
        try {
          const report = await compactArchive(deps, {
            beforeDay: flags.before ?? utcDay(Date.now()),
            maxSources: config.maxSources,
            maxBytes: config.maxBytes,
            ...(flags.project === undefined ? {} : { project: flags.project }),
            onJob: (job, ms) => {
              done += 1;
              if (ms > 10_000 || (flags.every === undefined && done % 25 === 0))
                say(`compact: ${done} compacted objects written so far (last: ${job.target}, ${ms} ms)`);
            },
          });
          // Repeating, a round with nothing to do says nothing.
          if (flags.every === undefined || report.jobs > 0 || report.summarized > 0)
            say(
              `compact: ${report.listed} objects listed, ${report.written.length} compacted objects written, ` +
                `${report.deleted} sources deleted, ${report.summarized} earlier objects given day breakdowns ` +
                `in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
            );
        } catch (err) {
          if (done > 0) say(`compact: ${done} compacted objects written before the error`);
          if (flags.every === undefined) {
            await deps.close();
            throw err;
          }
          // The next round retries: nothing is deleted before its compacted object is written.
          say(`compact: ${(err as Error).message}`);
        }
        if (flags.every === undefined) break;
        await new Promise((wake) => setTimeout(wake, flags.every! * 1000));
      }
      await deps.close();
      process.exit(0);
    });
}
