import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { restartDelayMs, STABLE_AFTER_MS } from './backoff.ts';
import type { ComponentHealth, ComponentSpec, ComponentState } from './component.ts';
import { waitForPort } from './port-probe.ts';

const RECENT_LINES = 20;

/**
 * One child process kept alive: started, probed until ready, restarted with backoff when
 * it exits unasked, and stopped with SIGTERM then SIGKILL.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private state: ComponentState = 'stopped';
  private restarts = 0;
  private consecutiveCrashes = 0;
  private lastExit: string | undefined;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly recent: string[] = [];
  private log: WriteStream;
  readonly logFile: string;

  constructor(
    readonly spec: ComponentSpec,
    logDir: string,
    private readonly report: (message: string) => void,
  ) {
    this.logFile = join(logDir, `${spec.name}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
  }

  /** Resolves once the component accepts connections; rejects with its last output if it cannot. */
  async start(): Promise<void> {
    if (this.log.closed || this.log.writableEnded) this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.state = 'starting';
    const child = this.spawnChild();
    try {
      if (this.spec.port !== undefined) {
        await waitForPort(this.spec.port, this.spec.startTimeoutMs ?? 30_000, () => this.child === child);
      }
    } catch (err) {
      if (this.child === child) {
        this.state = 'stopped';
        this.child = undefined;
        child.kill('SIGKILL');
      }
      throw new Error(
        `${this.spec.name} did not start: ${(err as Error).message}\n${this.recent.join('\n')}`,
      );
    }
    this.state = 'healthy';
    this.startedAt = Date.now();
  }

  async stop(graceMs = 5_000): Promise<void> {
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.state = 'stopped';
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.log.end();
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killTimer);
    this.log.end();
  }

  health(): ComponentHealth {
    return {
      name: this.spec.name,
      state: this.state,
      port: this.spec.port,
      pid: this.child?.pid,
      restarts: this.restarts,
      lastExit: this.lastExit,
      logFile: this.logFile,
    };
  }

  private spawnChild(): ChildProcess {
    const { command, args, env, cwd, ipc } = this.spec;
    const child = spawn(command, [...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.recent.push(line);
        if (this.recent.length > RECENT_LINES) this.recent.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (err) => keep(Buffer.from(`spawn failed: ${err.message}\n`)));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    return child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.lastExit = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (this.state === 'starting') return; // start() reports it
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.consecutiveCrashes = 0;
    this.consecutiveCrashes += 1;
    this.state = 'restarting';
    const delay = restartDelayMs(this.consecutiveCrashes);
    this.report(`${this.spec.name} ${this.lastExit}; restarting in ${delay} ms (see ${this.logFile})`);
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    if (this.state !== 'restarting') return;
    this.restarts += 1;
    this.start().then(
      () => this.report(`${this.spec.name} is back (restart ${this.restarts})`),
      (err: Error) => {
        this.report(err.message.split('\n')[0] ?? err.message);
        this.state = 'restarting';
        this.consecutiveCrashes += 1;
        this.restartTimer = setTimeout(() => this.restart(), restartDelayMs(this.consecutiveCrashes));
      },
    );
  }
}
