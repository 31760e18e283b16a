import type { Worker } from 'node:worker_threads';
import { loadChdbNative } from './chdb-native.ts';
import type {
  ControlReply,
  EngineWorkerData,
  ServerFacts,
  StatementJob,
  StatementReply,
} from './engine-protocol.ts';
import { launchWorker } from './worker-launch.ts';

export type EngineRequest = Omit<StatementJob, 'id'>;

export interface EngineOptions {
  readonly dataDir: string;
  readonly poolSize?: number;
  /** Called once if the engine thread dies; every later statement fails until restart. */
  readonly onFailure?: (reason: string) => void;
}

const WORKER_MODULE = new URL(
  `./engine-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/**
 * The HTTP side's handle on the engine thread: posts statements, matches replies, and
 * fails every outstanding statement if the thread dies rather than leaving it hanging.
 */
export class Engine {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: StatementReply) => void>();
  private failure: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly server: ServerFacts,
    private readonly onFailure: ((reason: string) => void) | undefined,
  ) {
    worker.on('message', (message: StatementReply | ControlReply) => {
      if ('control' in message) return;
      const settle = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      settle?.(message);
    });
    worker.on('error', (err) => this.fail(`engine thread failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`engine thread exited with code ${code}`));
  }

  static async start(options: EngineOptions): Promise<Engine> {
    // Keep the addon loaded on this thread too: when the engine thread ends, Node unloads
    // addons that thread alone had loaded, and chDB's teardown then crashes the process.
    loadChdbNative();
    const data: EngineWorkerData = { dataDir: options.dataDir, poolSize: options.poolSize ?? 2 };
    const worker = launchWorker(WORKER_MODULE, { workerData: data });
    const server = await new Promise<ServerFacts>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new Error(`engine thread exited with code ${code} while starting`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.on('message', function onReady(message: ControlReply) {
        if (!('control' in message)) return;
        worker.off('message', onReady);
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.control === 'ready') resolve(message.server);
        else if (message.control === 'failed')
          reject(new Error(`chDB could not open ${options.dataDir}: ${message.message}`));
      });
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new Engine(worker, server, options.onFailure);
  }

  run(request: EngineRequest): Promise<StatementReply> {
    const id = this.nextId++;
    if (this.failure !== undefined || this.closing) {
      const message = this.failure ?? 'the engine is shutting down';
      return Promise.resolve({
        id,
        ok: false,
        message: `Code: 1001. DB::Exception: ${message}. (STD_EXCEPTION)`,
      });
    }
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      const job: StatementJob = { ...request, id };
      this.worker.postMessage(job);
    });
  }

  /** Lets queued statements finish, closes every chDB connection, then ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.failure === undefined) {
        await new Promise<void>((resolve) => {
          const onClosed = (message: ControlReply) => {
            if ('control' in message && message.control === 'closed') {
              this.worker.off('message', onClosed);
              resolve();
            }
          };
          this.worker.on('message', onClosed);
          this.worker.once('exit', () => resolve());
          this.worker.postMessage({ control: 'close' });
        });
      }
      this.failure ??= 'the engine is closed';
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private fail(reason: string): void {
    if (this.failure === undefined) {
      this.failure = reason;
      if (!this.closing) this.onFailure?.(reason);
    }
    for (const [id, settle] of this.waiting) {
      settle({ id, ok: false, message: `Code: 1001. DB::Exception: ${reason}. (STD_EXCEPTION)` });
    }
    this.waiting.clear();
  }
}
