import { parentPort, workerData } from 'node:worker_threads';
import type { MappingDefinition } from '../../core/mappings.ts';
import { loadMappedHandlers } from './handler-modules.ts';
import { stderrLogger } from './logger.ts';
import type { MappingStatus } from './mapping-status.ts';
import { startMappingRunner } from './runner.ts';

/** What a function's thread is given: its mappings, the brokers, and where its handler lives. */
export interface FunctionThreadData {
  readonly brokers: readonly string[];
  readonly handlersDir: string;
  readonly mappings: readonly MappingDefinition[];
}

/** What a function's thread tells the emulator's main thread. */
export type FunctionThreadMessage =
  | { readonly type: 'status'; readonly status: MappingStatus[] }
  | { readonly type: 'stopped' };

/** How often a thread reports its mappings' counters; /status reads the latest report. */
export const STATUS_REPORT_MS = 250;

// One function's mappings in a worker thread of the emulator (function-threads.ts): the handler
// module is loaded here, as Lambda loads it in the function's own environment.
const data = workerData as FunctionThreadData;
const port = parentPort;
if (!port) throw new Error('function-thread.ts runs only as a worker thread of the emulator');
const send = (message: FunctionThreadMessage) => port.postMessage(message);

const runner = startMappingRunner({
  brokers: data.brokers,
  mappings: await loadMappedHandlers(data.handlersDir, data.mappings),
  logger: stderrLogger,
});
const report = setInterval(() => {
  void runner.then((r) => send({ type: 'status', status: r.status() }));
}, STATUS_REPORT_MS);

port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(report);
  void runner
    .then((r) => r.stop())
    .finally(() => {
      send({ type: 'stopped' });
      // Ends this thread only; the handler's own clients (Redis, HTTP agents) would hold it open.
      process.exit(0);
    });
});
