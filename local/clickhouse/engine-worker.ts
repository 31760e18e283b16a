import { parentPort, workerData } from 'node:worker_threads';
import { type ChdbNative, loadChdbNative } from './chdb-native.ts';
import { EngineConnection, type ParameterGate } from './engine-connection.ts';
import type {
  ControlMessage,
  ControlReply,
  EngineWorkerData,
  ServerFacts,
  StatementJob,
  StatementReply,
} from './engine-protocol.ts';
import { changesConnectionState } from './sql-text.ts';

/**
 * The thread that owns chDB. Every engine call happens here, so however long a statement
 * runs, the HTTP side's event loop keeps answering (pings, other connections' queues).
 */
interface Session {
  readonly connection: EngineConnection;
  timer: NodeJS.Timeout | undefined;
}

class EngineHost {
  private readonly pool: EngineConnection[] = [];
  private readonly sessions = new Map<string, Session>();
  private parameterTail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly native: ChdbNative,
    private readonly config: EngineWorkerData,
  ) {
    for (let i = 0; i < Math.max(1, config.poolSize); i += 1) this.pool.push(this.open());
  }

  private readonly parameterGate: ParameterGate = (work) => {
    const result = this.parameterTail.then(work);
    this.parameterTail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  private open(): EngineConnection {
    return new EngineConnection(
      this.native,
      this.native.CreateConnection(this.config.dataDir),
      this.parameterGate,
    );
  }

  async serverFacts(): Promise<ServerFacts> {
    const first = this.pool[0]!;
    const outcome = await first.run(
      { id: 0, sql: 'SELECT timezone(), version()', format: 'TabSeparated', settings: {}, params: {} },
      'default',
    );
    const [timezone = 'UTC', version = 'unknown'] = Buffer.from(outcome.output)
      .toString('utf8')
      .trim()
      .split('\t');
    return { timezone, version };
  }

  async run(job: StatementJob): Promise<StatementReply> {
    try {
      const outcome = job.session ? await this.runInSession(job, job.session) : await this.runStateless(job);
      return { id: job.id, ok: true, output: outcome.output, stats: outcome.stats };
    } catch (err) {
      return { id: job.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async runStateless(job: StatementJob) {
    if (changesConnectionState(job.sql)) {
      // ClickHouse scopes a stateless request's SET/USE/temporary tables to that request;
      // on a shared connection they would leak into the next one, so use a throwaway.
      const throwaway = this.open();
      try {
        return await throwaway.run(job, 'default');
      } finally {
        await throwaway.close();
      }
    }
    return this.pool[this.leastBusy()]!.run(job, 'default');
  }

  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.pool.length; i += 1) {
      if (this.pool[i]!.pending < this.pool[best]!.pending) best = i;
    }
    return best;
  }

  private async runInSession(job: StatementJob, request: NonNullable<StatementJob['session']>) {
    let session = this.sessions.get(request.id);
    if (!session) {
      if (request.mustExist) {
        throw new Error(`Code: 372. DB::Exception: Session ${request.id} not found. (SESSION_NOT_FOUND)`);
      }
      session = { connection: this.open(), timer: undefined };
      this.sessions.set(request.id, session);
    }
    if (session.timer) clearTimeout(session.timer);
    try {
      return await session.connection.run(job, undefined);
    } finally {
      this.armExpiry(request.id, session, request.timeoutSeconds);
    }
  }

  private armExpiry(id: string, session: Session, timeoutSeconds: number): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = setTimeout(() => {
      if (session.connection.pending > 0) return this.armExpiry(id, session, timeoutSeconds);
      if (this.sessions.get(id) === session) this.sessions.delete(id);
      void session.connection.close();
    }, timeoutSeconds * 1000);
    session.timer.unref();
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) if (session.timer) clearTimeout(session.timer);
    const all = [...this.pool, ...[...this.sessions.values()].map((session) => session.connection)];
    this.sessions.clear();
    await Promise.all(all.map((connection) => connection.close()));
  }
}

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');
const config = workerData as EngineWorkerData;
const post = (message: StatementReply | ControlReply) => port.postMessage(message);

try {
  const host = new EngineHost(loadChdbNative(), config);
  port.on('message', (message: StatementJob | ControlMessage) => {
    if ('control' in message) {
      void host.close().then(() => post({ control: 'closed' }));
    } else {
      void host.run(message).then(post);
    }
  });
  post({ control: 'ready', server: await host.serverFacts() });
} catch (err) {
  post({ control: 'failed', message: err instanceof Error ? err.message : String(err) });
}
