import type { Context, MSKEvent } from 'aws-lambda';
import { type Command, InvalidArgumentError } from 'commander';
import { compactionEnvironment } from '../bin/compact-cli.ts';
import { TOPICS } from '../core/topics.ts';
import { EnvReader } from '../io/config/env-reader.ts';
import { readKafkaConfig } from '../io/config/kafka-config.ts';
import { createKafka } from '../io/kafka/kafka-client.ts';
import { connectCompaction, readCompactionConfig } from '../io/s3/compaction-config.ts';
import { createLambdaContext } from '../local/lambda/context.ts';
import { readArchiveBatches } from './replay-archive.ts';
import { type ReplayStart, readTopicBatches } from './replay-topic.ts';

/** The functions a replay feeds, per topic: those whose mappings read it. */
export const REPLAYED_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  [TOPICS.eventsRaw.name]: ['realtime', 'windows', 'funnels', 'warehouse'],
  [TOPICS.tweetsEnriched.name]: ['tweets'],
};

export interface ReplayTarget {
  readonly name: string;
  readonly handler: (event: MSKEvent, context: Context) => Promise<unknown>;
}

/** Each batch to every target in turn, in order, so each function sees each partition in order. */
export async function feedReplay(
  targets: readonly ReplayTarget[],
  batches: AsyncIterable<MSKEvent> | Iterable<MSKEvent>,
): Promise<{ batches: number; records: number }> {
  let count = 0;
  let records = 0;
  for await (const batch of batches) {
    count += 1;
    records += Object.values(batch.records).reduce((n, r) => n + r.length, 0);
    for (const target of targets) await target.handler(batch, createLambdaContext(target.name));
  }
  return { batches: count, records };
}

const integer = (name: string, min: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  return n;
};

const time = (raw: string) => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError('--from-time must be an ISO 8601 time or epoch ms');
  return ms;
};

interface ReplayFlags {
  fromS3?: string;
  topic?: string;
  fromOffset?: number;
  fromTime?: number;
  partitions?: string;
  functions?: string;
  batchSize: number;
  dataDir?: string;
}

/** Checks the flags together; the error names the flag and the rule. */
export function replaySource(
  flags: ReplayFlags,
): { kind: 's3'; prefix: string } | { kind: 'topic'; topic: string; start: ReplayStart } {
  if (flags.fromS3 !== undefined) {
    if (flags.topic || flags.fromOffset !== undefined || flags.fromTime !== undefined)
      throw new Error('--from-s3: cannot be combined with --topic, --from-offset or --from-time');
    return { kind: 's3', prefix: flags.fromS3 };
  }
  if (!flags.topic)
    throw new Error('replay: give --from-s3 PREFIX, or --topic with --from-offset or --from-time');
  if (flags.topic === TOPICS.eventsDlq.name)
    throw new Error(
      '--topic: events.dlq holds rejected events, not applied ones: `spate dlq` lists them, `spate dlq replay` sends them again through validation',
    );
  if (!REPLAYED_FUNCTIONS[flags.topic])
    throw new Error(
      `--topic: must be one of ${Object.keys(REPLAYED_FUNCTIONS).join(', ')}, got ${flags.topic}`,
    );
  if ((flags.fromOffset === undefined) === (flags.fromTime === undefined))
    throw new Error('--topic: needs exactly one of --from-offset N or --from-time T');
  const start = flags.fromOffset !== undefined ? { offset: flags.fromOffset } : { timeMs: flags.fromTime! };
  return { kind: 'topic', topic: flags.topic, start };
}

/**
 * `spate replay --from-s3 PREFIX` or `spate replay --topic events.raw --from-offset N |
 * --from-time T`: re-feeds events through the aggregators with their original offsets, so
 * data that was applied before changes nothing and lost hot-tier data is restored. The
 * functions read their usual environment (SPATE_REDIS_URL, SPATE_CLICKHOUSE_URL, ...). The
 * archive is read as `spate compact` reads it (the environment, else the local stack's
 * endpoints.json): its compacted (Parquet) objects through ClickHouse, so a compacted period
 * replays as it did before compaction.
 */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-feed events through the aggregators; already-applied data changes nothing')
    .option('--from-s3 <prefix>', 'archive prefix, e.g. events/project=shop/dt=2026-01-15/')
    .option('--topic <name>', `topic to re-read: ${Object.keys(REPLAYED_FUNCTIONS).join(', ')}`)
    .option('--from-offset <n>', 'start at this offset on every partition', integer('--from-offset', 0))
    .option('--from-time <t>', 'start at the first record at or after this time (ISO 8601 or epoch ms)', time)
    .option('--partitions <list>', 'comma-separated partitions (default: all)')
    .option('--functions <list>', 'comma-separated subset of the functions fed from the topic')
    .option('--batch-size <n>', 'records per invocation', integer('--batch-size', 1), 5000)
    .option('--data-dir <dir>', 'where the local stack keeps endpoints.json (--from-s3)', '.local')
    .action(async (flags: ReplayFlags) => {
      const source = replaySource(flags);
      const topic = source.kind === 's3' ? TOPICS.eventsRaw.name : source.topic;
      const known = REPLAYED_FUNCTIONS[topic] ?? [];
      const names = flags.functions ? flags.functions.split(',').map((s) => s.trim()) : [...known];
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length > 0)
        throw new Error(
          `--functions: unknown ${unknown.join(', ')} (known for ${topic}: ${known.join(', ')})`,
        );
      const targets: ReplayTarget[] = [];
      for (const name of names) {
        const module = (await import(`./${name}/handler.ts`)) as { handler: ReplayTarget['handler'] };
        targets.push({ name, handler: module.handler });
      }
      let fed: { batches: number; records: number };
      if (source.kind === 's3') {
        const env = compactionEnvironment(process.env, flags.dataDir ?? '.local');
        const config = readCompactionConfig(env);
        const clients = connectCompaction(config);
        try {
          const read = await readArchiveBatches(
            clients.s3,
            config.bucket,
            source.prefix,
            flags.batchSize,
            // Compacted objects are read through ClickHouse: only one named, not a guessed default.
            env.SPATE_CLICKHOUSE_URL ? { clickhouse: clients.clickhouse, cold: config.cold } : undefined,
            `set SPATE_CLICKHOUSE_URL (or start the local stack, whose ${flags.dataDir ?? '.local'}/endpoints.json names its ClickHouse)`,
          );
          process.stdout.write(
            `replaying ${read.events} events from ${read.objects} objects` +
              (read.compacted > 0 ? ` and ${read.compacted} compacted objects\n` : '\n'),
          );
          fed = await feedReplay(targets, read.batches);
        } finally {
          await clients.close();
        }
      } else {
        const kafka = createKafka(readKafkaConfig(new EnvReader(process.env), 'spate-replay'));
        const partitions = flags.partitions?.split(',').map((p) => integer('--partitions', 0)(p.trim()));
        fed = await feedReplay(
          targets,
          readTopicBatches(kafka, {
            topic: source.topic,
            start: source.start,
            batchSize: flags.batchSize,
            ...(partitions ? { partitions } : {}),
          }),
        );
      }
      process.stdout.write(
        `${names.join(', ')}: ${fed.records} records in ${fed.batches} batches replayed\n`,
      );
      process.exit(0);
    });
}
