import type { Command } from 'commander';
import { brokerConfigFromFlags } from './config.ts';
import { runBrokerProcess } from './run.ts';

/** `spate broker`: the local Kafka-protocol broker on its own. */
export function registerBroker(program: Command): void {
  program
    .command('broker')
    .description('Run the single-node Kafka-protocol broker (kafkajs and librdkafka clients work against it)')
    .requiredOption('--port <port>', 'port to listen on (0 picks a free one)')
    .requiredOption('--data-dir <dir>', 'where topic logs, group offsets and producer state live')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--partitions <n>', 'partitions of auto-created topics', '1')
    .option('--auto-create', 'create unknown topics on first use')
    .action(
      async (opts: {
        port: string;
        dataDir: string;
        host: string;
        partitions: string;
        autoCreate?: boolean;
      }) => {
        await runBrokerProcess(brokerConfigFromFlags(opts));
      },
    );
}
