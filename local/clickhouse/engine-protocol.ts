import type { StatementStats } from './summary.ts';

/** One statement for the engine worker, as posted from the HTTP side. */
export interface StatementJob {
  readonly id: number;
  /** Full statement text, or for an insert with a data body, the `INSERT ... FORMAT X` prefix. */
  readonly sql: string;
  /** Raw insert payload; present only when `sql` is an INSERT whose data came as the body. */
  readonly insertData?: Uint8Array;
  /** Output format for statements without their own FORMAT clause. */
  readonly format: string;
  readonly database?: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  readonly session?: { readonly id: string; readonly timeoutSeconds: number; readonly mustExist: boolean };
}

export interface StatementDone {
  readonly id: number;
  readonly ok: true;
  readonly output: Uint8Array;
  readonly stats: StatementStats;
}

export interface StatementFailed {
  readonly id: number;
  readonly ok: false;
  /** Engine error text, `Code: N. DB::Exception: ... (NAME)`. */
  readonly message: string;
}

export type StatementReply = StatementDone | StatementFailed;

export interface EngineWorkerData {
  readonly dataDir: string;
  /** Connections serving requests without a session. */
  readonly poolSize: number;
}

/** What the HTTP side reports about the engine in its headers and error texts. */
export interface ServerFacts {
  readonly timezone: string;
  readonly version: string;
}

/** Control messages besides statements. */
export type ControlMessage = { readonly control: 'close' };
export type ControlReply =
  | { readonly control: 'ready'; readonly server: ServerFacts }
  | { readonly control: 'failed'; readonly message: string }
  | { readonly control: 'closed' };
