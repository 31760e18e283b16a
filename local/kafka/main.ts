import { parseArgs } from 'node:util';
import { brokerConfigFromFlags } from './config.ts';
import { runBrokerProcess } from './run.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    partitions: { type: 'string' },
    'auto-create': { type: 'boolean' },
  },
});

try {
  await runBrokerProcess(
    brokerConfigFromFlags({
      port: values.port,
      host: values.host,
      dataDir: values['data-dir'],
      partitions: values.partitions,
      autoCreate: values['auto-create'],
    }),
  );
} catch (err) {
  process.stderr.write(`broker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
