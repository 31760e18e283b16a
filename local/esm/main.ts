import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAPPINGS } from '../../core/mappings.ts';
import { announceReady, onShutdown } from '../process-lifecycle.ts';
import { ESM_USAGE, readEsmConfig } from './config.ts';
import { type FunctionThreads, startFunctionThreads } from './function-threads.ts';
import { handlerPath, selectMappings } from './handler-modules.ts';
import { startStatusServer } from './status-server.ts';

// The emulator as a component of `spate local`: every mapping of core/mappings.ts fed from
// the local broker, each function's handler loaded in a worker thread of this process.
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
const mappings = selectMappings(MAPPINGS, config.functions);
// A missing handler module fails the start here, before the process says it is ready; each
// function's thread then imports its own.
for (const m of mappings)
  if (!existsSync(handlerPath(handlersDir, m.functionName)))
    throw new Error(
      `${m.functionName}: handler module ${handlerPath(handlersDir, m.functionName)} does not exist`,
    );
// The status port answers before the consumer groups have joined: after a kill -9 the broker
// keeps the dead members until their sessions expire, and a process that looked dead while
// waiting for that would be killed and restarted forever.
let threads: FunctionThreads | undefined;
const server = await startStatusServer(config.port, () => threads?.status() ?? []);
onShutdown(async () => {
  await server.close();
  await threads?.stop();
});
announceReady({ port: server.port, mappings: mappings.map((m) => m.functionName) });
threads = startFunctionThreads({
  brokers: config.brokers,
  handlersDir,
  mappings,
  // As a crashed Lambda runtime would be: the supervisor restarts the emulator.
  onFailure: (functionName, error) => {
    process.stderr.write(`${functionName}: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
});
