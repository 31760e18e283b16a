import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

interface ProcessTimes {
  readonly ppid: number;
  readonly ticks: number;
}

/** utime + stime of every process, by pid, with its parent (fields 4, 14, 15 of /proc/<pid>/stat). */
function processTable(): Map<number, ProcessTimes> {
  const table = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields are counted after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return table;
}

/** Busy and total ticks of the whole machine (the `cpu` line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  // idle and iowait are the idle columns.
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
}

/** CPU ticks of each named process with all its descendants (cluster workers, spawned servers). */
function ticksByComponent(roots: readonly { name: string; pid?: number }[]): Map<string, number> {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const treeTicks = (pid: number): number =>
    (table.get(pid)?.ticks ?? 0) + (children.get(pid) ?? []).reduce((sum, c) => sum + treeTicks(c), 0);
  const out = new Map<string, number>();
  for (const { name, pid } of roots) if (pid !== undefined) out.set(name, treeTicks(pid));
  return out;
}

/** Where the cores went over a span: cores busy in all, and per component, in cores (1 = one core all the time). */
export interface CpuSpan {
  readonly cores: number;
  readonly busy_cores: number;
  readonly by_component: Record<string, number>;
}

/**
 * Samples the CPU time of the stack's components (each with its child processes) and of this
 * process (the load generator and probes) between start() and stop().
 */
export class CpuSampler {
  #started:
    | {
        at: number;
        machine: { busy: number; total: number };
        ticks: Map<string, number>;
        self: NodeJS.CpuUsage;
      }
    | undefined;

  constructor(private readonly components: () => readonly { name: string; pid?: number }[]) {}

  start(): void {
    this.#started = {
      at: performance.now(),
      machine: machineTicks(),
      ticks: ticksByComponent(this.components()),
      self: process.cpuUsage(),
    };
  }

  stop(): CpuSpan {
    const started = this.#started;
    if (!started) throw new Error('CpuSampler.stop() before start()');
    const seconds = (performance.now() - started.at) / 1000;
    const machine = machineTicks();
    const ticks = ticksByComponent(this.components());
    const self = process.cpuUsage(started.self);
    const cores = cpus().length;
    const round = (n: number) => Math.round(n * 100) / 100;
    const byComponent: Record<string, number> = {};
    for (const [name, now] of ticks) {
      const before = started.ticks.get(name);
      // A component restarted in between has a new pid and a fresh count: leave it out.
      if (before !== undefined && now >= before)
        byComponent[name] = round((now - before) / TICKS_PER_S / seconds);
    }
    byComponent['bench (load generator, probes)'] = round((self.user + self.system) / 1e6 / seconds);
    const busyShare =
      (machine.busy - started.machine.busy) / Math.max(1, machine.total - started.machine.total);
    return { cores, busy_cores: round(busyShare * cores), by_component: byComponent };
  }
}

/** "1.93 of 2 cores: esm 1.01, http-api 0.52, …" with the biggest users first. */
export function describeCpu(span: CpuSpan | undefined, top = 4): string {
  if (!span) return '-';
  const parts = Object.entries(span.by_component)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, c]) => `${name} ${c}`);
  return `${span.busy_cores} of ${span.cores} cores: ${parts.join(', ')}`;
}
