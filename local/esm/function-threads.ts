import { Worker } from 'node:worker_threads';
import type { MappingDefinition } from '../../core/mappings.ts';
import type { FunctionThreadData, FunctionThreadMessage } from './function-thread.ts';
import type { MappingStatus } from './mapping-status.ts';

/**
 * A worker thread does not get the `--import tsx` hooks this process runs under: it registers
 * tsx's ESM and CommonJS hooks itself (handlers outside a `"type": "module"` package load as
 * CommonJS), then loads its TypeScript entry.
 */
interface ThreadBoot {
  readonly tsx: { readonly esm: string; readonly cjs: string };
  readonly entry: string;
}
const BOOT = `const { workerData } = require('node:worker_threads');
Promise.all([import(workerData.tsx.esm), import(workerData.tsx.cjs)])
  .then(([esm, cjs]) => { esm.register(); cjs.register(); return import(workerData.entry); });`;
const TSX_API = { esm: import.meta.resolve('tsx/esm/api'), cjs: import.meta.resolve('tsx/cjs/api') };
const THREAD_ENTRY = new URL('./function-thread.ts', import.meta.url).href;

export interface FunctionThreadsOptions {
  readonly brokers: readonly string[];
  readonly handlersDir: string;
  readonly mappings: readonly MappingDefinition[];
  /** A thread failed (its handler did not load, or its runner crashed for good). */
  readonly onFailure: (functionName: string, error: Error) => void;
  /** How long stop() waits for a thread to commit and leave its groups before ending it. @default 15_000 */
  readonly stopTimeoutMs?: number;
}

export interface FunctionThreads {
  /** Every mapping's counters, as last reported by its thread. */
  status(): MappingStatus[];
  stop(): Promise<void>;
}

interface FunctionThread {
  readonly functionName: string;
  readonly worker: Worker;
  status: MappingStatus[];
  stopped: Promise<void>;
}

/**
 * Runs each function's mappings in a worker thread of its own, as Lambda runs each function in
 * its own environment: a busy aggregator never delays another's polling on the same event loop,
 * and the emulator uses every core. A kill of the process still takes every function at once,
 * as the fault suite expects.
 */
export function startFunctionThreads(options: FunctionThreadsOptions): FunctionThreads {
  const byFunction = new Map<string, MappingDefinition[]>();
  for (const m of options.mappings)
    byFunction.set(m.functionName, [...(byFunction.get(m.functionName) ?? []), m]);
  let stopping = false;
  const threads: FunctionThread[] = [...byFunction].map(([functionName, mappings]) => {
    const workerData: FunctionThreadData & ThreadBoot = {
      brokers: options.brokers,
      handlersDir: options.handlersDir,
      mappings,
      tsx: TSX_API,
      entry: THREAD_ENTRY,
    };
    const worker = new Worker(BOOT, { eval: true, workerData });
    const thread: FunctionThread = {
      functionName,
      worker,
      status: mappings.map((m) => startingStatus(m)),
      stopped: new Promise((resolve) => worker.once('exit', () => resolve())),
    };
    worker.on('message', (message: FunctionThreadMessage) => {
      if (message.type === 'status') thread.status = message.status;
    });
    worker.on('error', (error) => options.onFailure(functionName, error));
    worker.on('exit', (code) => {
      if (!stopping && code !== 0)
        options.onFailure(functionName, new Error(`thread exited with code ${code}`));
    });
    return thread;
  });

  return {
    status: () => threads.flatMap((t) => t.status),
    async stop() {
      stopping = true;
      const timeoutMs = options.stopTimeoutMs ?? 15_000;
      await Promise.all(
        threads.map(async (t) => {
          t.worker.postMessage('stop');
          const timer = setTimeout(() => void t.worker.terminate(), timeoutMs);
          await t.stopped;
          clearTimeout(timer);
        }),
      );
    },
  };
}

function startingStatus(m: MappingDefinition): MappingStatus {
  return {
    functionName: m.functionName,
    topic: m.topic,
    groupId: m.groupId,
    state: 'starting',
    batches: 0,
    records: 0,
    failures: 0,
    retries: 0,
    lag: 0,
    lastError: undefined,
  };
}
