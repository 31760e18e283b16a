import type { ChdbNative, NativeConnection } from './chdb-native.ts';
import { type ConnectionState, INITIAL_STATE, planState } from './connection-state.ts';
import { repairEmptyTotals } from './empty-totals.ts';
import type { StatementJob } from './engine-protocol.ts';
import type { StatementStats } from './summary.ts';

export interface StatementOutcome {
  readonly output: Uint8Array;
  readonly stats: StatementStats;
}

/**
 * chDB binds query parameters through process-wide state, so parameterised statements on
 * different connections must take turns; this runs one such statement at a time.
 */
export type ParameterGate = <T>(work: () => Promise<T>) => Promise<T>;

const EMPTY = new Uint8Array(0);

/**
 * One chDB connection with its queue and the settings/database it currently has applied.
 * A connection carries per-request state (settings, parameter bindings), so requests on
 * one connection run one after another; different connections run in parallel.
 */
export class EngineConnection {
  private state: ConnectionState = INITIAL_STATE;
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(
    private readonly native: ChdbNative,
    private readonly connection: NativeConnection,
    private readonly parameterGate: ParameterGate,
  ) {}

  get pending(): number {
    return this.queued;
  }

  /**
   * Runs one job after the ones already queued. `defaultDatabase` is the database a
   * stateless request starts from; a session passes undefined and keeps its own.
   */
  run(job: StatementJob, defaultDatabase: string | undefined): Promise<StatementOutcome> {
    this.queued += 1;
    const result = this.tail.then(() => this.execute(job, defaultDatabase));
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.queued -= 1;
    });
  }

  /** Resolves once every queued job has finished. */
  async drain(): Promise<void> {
    while (this.queued > 0) await this.tail;
  }

  /** Closes the native connection once its queue is empty. */
  async close(): Promise<void> {
    await this.drain();
    if (this.closed) return;
    this.closed = true;
    this.native.CloseConnection(this.connection);
  }

  private async execute(job: StatementJob, defaultDatabase: string | undefined): Promise<StatementOutcome> {
    if (this.closed) throw new Error('Code: 1001. DB::Exception: connection closed. (STD_EXCEPTION)');
    const database = job.database ?? defaultDatabase;
    const steps = planState(this.state, { ...(database ? { database } : {}), settings: job.settings });
    for (const step of steps) {
      await this.native.QueryAsyncConnection(this.connection, step.sql, 'TabSeparated');
      this.state = step.after;
    }
    if (job.insertData) {
      const inserted = await this.native.InsertRawAsyncConnection(
        this.connection,
        job.sql,
        job.insertData,
        false,
      );
      return {
        output: EMPTY,
        stats: {
          readRows: 0,
          readBytes: job.insertData.byteLength,
          writtenRows: inserted.rowsWritten,
          writtenBytes: inserted.bytesWritten,
          elapsedSeconds: inserted.elapsed,
        },
      };
    }
    const hasParams = Object.keys(job.params).length > 0;
    const result = hasParams
      ? await this.parameterGate(() =>
          this.native.QueryAsyncConnection(this.connection, job.sql, job.format, job.params),
        )
      : await this.native.QueryAsyncConnection(this.connection, job.sql, job.format);
    return {
      output: repairEmptyTotals(job.format, result.bytes),
      stats: {
        readRows: result.rowsRead,
        readBytes: result.bytesRead,
        writtenRows: 0,
        writtenBytes: 0,
        elapsedSeconds: result.elapsed,
      },
    };
  }
}
