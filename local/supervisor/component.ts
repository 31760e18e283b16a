/** What the supervisor needs to know to run one part of the local stack as a child process. */
export interface ComponentSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * The component is ready once this port accepts TCP connections; one without a port (a
   * traffic generator) is ready once it has been spawned.
   */
  readonly port?: number;
  /**
   * Open an IPC channel to a Node child so it exits when the supervisor dies (see
   * local/process-lifecycle.ts); a non-Node program like redis-server cannot use one.
   * @default false
   */
  readonly ipc?: boolean;
  /** @default 30_000 */
  readonly startTimeoutMs?: number;
}

export type ComponentState = 'starting' | 'healthy' | 'restarting' | 'stopped';

export interface ComponentHealth {
  readonly name: string;
  readonly state: ComponentState;
  readonly port: number | undefined;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** Why it last exited, when it did so unasked. */
  readonly lastExit: string | undefined;
  readonly logFile: string;
}
