import { type Command, InvalidArgumentError } from 'commander';
import { INGEST_LIMITS } from '../core/limits/ingest-limits.ts';
import { EnvReader } from '../io/config/env-reader.ts';
import { readKafkaConfig } from '../io/config/kafka-config.ts';
import { createKafka } from '../io/kafka/kafka-client.ts';
import { RecordProducer } from '../io/kafka/record-producer.ts';
import { DLQ_REPLAY_GROUP, listDeadLetters, replayDeadLetters } from '../lambdas/replay-dlq.ts';
import { renderListing, renderReplay } from './dlq-report.ts';

interface DlqFlags {
  samples: number;
  group: string;
  json?: boolean;
}

const count = (name: string) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > 100)
    throw new InvalidArgumentError(`${name} must be an integer from 0 to 100`);
  return n;
};

function options(flags: DlqFlags) {
  return { groupId: flags.group, samples: flags.samples, limits: INGEST_LIMITS };
}

function dlqKafka() {
  return createKafka(readKafkaConfig(new EnvReader(process.env), 'spate-dlq'));
}

/**
 * `spate dlq`: the rejected events on events.dlq by reason, with samples. `spate dlq replay`:
 * those not replayed before, through today's validation, each at most once. Both read
 * SPATE_KAFKA_BROKERS (default: the local broker) like every process.
 */
export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('list the rejected events on events.dlq by reason, with samples')
    .option('--samples <n>', 'samples shown per reason', count('--samples'), 3)
    .option('--group <id>', 'consumer group that marks what was replayed', DLQ_REPLAY_GROUP)
    .option('--json', 'print the counts and samples as JSON')
    .action(async (flags: DlqFlags) => {
      const listing = await listDeadLetters(dlqKafka(), options(flags));
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ total: listing.summary.total, pending: listing.summary.pending, passNow: listing.summary.passNow, reasons: listing.summary.reasons() }, null, 2)}\n`
          : renderListing(listing),
      );
      process.exit(0);
    });
  dlq
    .command('replay')
    .description(
      'send rejected events again through the same validation as live ingest, once the cause is fixed; ' +
        'each at most once (progress is committed in the consumer group); those still invalid are reported, not retried',
    )
    .option('--samples <n>', 'samples shown per reason still refused', count('--samples'), 3)
    .option('--group <id>', 'consumer group that marks what was replayed', DLQ_REPLAY_GROUP)
    .action(async (flags: DlqFlags) => {
      const kafka = dlqKafka();
      const sink = new RecordProducer(kafka, { timeoutMs: 30_000, compression: 'gzip' });
      try {
        const report = await replayDeadLetters(kafka, sink, options(flags));
        process.stdout.write(renderReplay(report));
      } finally {
        await sink.disconnect();
      }
      process.exit(0);
    });
}
