import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_PORTS, type PortName } from './ports.ts';
import { startLocalStack } from './stack/run.ts';
import { PORT_ENV_NAMES, readLocalSettings } from './stack/settings.ts';

interface LocalCommandOptions {
  readonly reset?: boolean;
  readonly demo: boolean;
  readonly dataDir?: string;
  readonly [flag: string]: unknown;
}

/** `spate local`: the whole system on this machine. */
export function registerLocal(program: Command): void {
  const command = program
    .command('local')
    .description(
      'Start the whole system locally: Kafka-protocol broker, redis-server, ClickHouse (chDB), S3 (s3rver), ' +
        'the API gateway with its functions, and demo traffic. Writes .local/endpoints.json when ready.',
    )
    .option('--reset', 'wipe the data dir before starting')
    .option('--no-demo', 'do not send demo traffic')
    .option('--data-dir <dir>', 'where local data lives (env SPATE_DATA_DIR)', '.local');
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    command.option(`--${name}-port <port>`, `${name} port (env ${PORT_ENV_NAMES[name]})`);
  }
  command.action(async (options: LocalCommandOptions) => {
    const ports: Partial<Record<PortName, string>> = {};
    for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
      const value = options[`${name}Port`];
      if (typeof value === 'string') ports[name] = value;
    }
    const settings = readLocalSettings(
      { dataDir: options.dataDir, reset: options.reset, demo: options.demo, ports },
      process.env,
      fileURLToPath(new URL('..', import.meta.url)),
      process.cwd(),
    );
    const say = (message: string) => process.stdout.write(`${message}\n`);
    const stack = await startLocalStack(settings, say);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: stopping the local stack`);
      stack.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`stopping failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
