import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAPPINGS } from '../../core/mappings.ts';
import { announceReady, onShutdown } from '../process-lifecycle.ts';
import { ESM_USAGE, readEsmConfig } from './config.ts';
import { loadMappedHandlers, selectMappings } from './handler-modules.ts';
import { stderrLogger } from './logger.ts';
import { type MappingRunner, startMappingRunner } from './runner.ts';
import { startStatusServer } from './status-server.ts';

// The emulator as a component of `spate local`: every mapping of core/mappings.ts fed from
// the local broker, with the handlers loaded in this process.
if (process.argv.includes('--help')) {
  process.stdout.write(ESM_USAGE);
  process.exit(0);
}

let config: ReturnType<typeof readEsmConfig>;
try {
  config = readEsmConfig(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${ESM_USAGE}`);
  process.exit(2);
}

const handlersDir =
  config.handlersDir ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lambdas');
const mappings = await loadMappedHandlers(handlersDir, selectMappings(MAPPINGS, config.functions));
// The status port answers before the consumer groups have joined: after a kill -9 the broker
// keeps the dead members until their sessions expire, and a process that looked dead while
// waiting for that would be killed and restarted forever.
let runner: MappingRunner | undefined;
const server = await startStatusServer(config.port, () => runner?.status() ?? []);
onShutdown(async () => {
  await server.close();
  await runner?.stop();
});
announceReady({ port: server.port, mappings: mappings.map((m) => m.definition.functionName) });
runner = await startMappingRunner({ brokers: config.brokers, mappings, logger: stderrLogger });
