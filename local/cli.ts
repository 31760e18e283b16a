import type { Command } from 'commander';

/** `spate local`: the whole system on this machine. */
export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('Start the local stack: broker, redis-server, ClickHouse (chDB), S3 (s3rver), gateway')
    .option('--reset', 'wipe .local/ before starting')
    .option('--no-demo', 'do not run demo traffic')
    .action(async () => {
      throw new Error('the local stack is being assembled');
    });
}
