import { mkdirSync } from 'node:fs';
import type { ComponentHealth, ComponentSpec } from './component.ts';
import { SupervisedProcess } from './supervised-process.ts';

/** The set of child processes of `spate local`, started together and stopped together. */
export class Supervisor {
  private readonly processes: SupervisedProcess[] = [];

  constructor(
    private readonly logDir: string,
    private readonly report: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts every component at once; if one cannot start, stops the others and rethrows. */
  async startAll(specs: readonly ComponentSpec[]): Promise<void> {
    const started = specs.map((spec) => new SupervisedProcess(spec, this.logDir, this.report));
    this.processes.push(...started);
    const results = await Promise.allSettled(started.map((p) => p.start()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await this.stopAll();
      throw failure.reason;
    }
  }

  /**
   * Takes one component down and keeps it down (no restart) until start(name): how a fault
   * test holds a dependency dead for a while.
   */
  async stop(name: string): Promise<void> {
    await this.byName(name).stop();
  }

  async start(name: string): Promise<void> {
    await this.byName(name).start();
  }

  health(): ComponentHealth[] {
    return this.processes.map((p) => p.health());
  }

  private byName(name: string): SupervisedProcess {
    const found = this.processes.find((p) => p.spec.name === name);
    if (!found) {
      throw new Error(
        `component: no component named "${name}" (known: ${this.processes.map((p) => p.spec.name).join(', ')})`,
      );
    }
    return found;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}
