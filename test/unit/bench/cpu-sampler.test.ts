import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CpuSampler, describeCpu } from '../../../bench/e2e/cpu-sampler.ts';

describe('CPU sampler of the bench', () => {
  it('charges a busy child process, with its own children, to its component', async () => {
    // A parent that idles and a grandchild that spins: the tree counts as one component.
    const busy = spawn(
      process.execPath,
      [
        '-e',
        `require('node:child_process').spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);'], { stdio: 'inherit' }).on('exit', () => process.exit(0));`,
      ],
      { stdio: 'ignore' },
    );
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
    const sampler = new CpuSampler(() => [
      { name: 'busy', pid: busy.pid },
      { name: 'idle', pid: idle.pid },
      { name: 'gone' },
    ]);
    sampler.start();
    await new Promise((r) => setTimeout(r, 1200));
    const span = sampler.stop();
    await Promise.all([once(busy, 'exit'), once(idle, 'exit')]);
    expect(span.by_component.busy).toBeGreaterThan(0.5);
    expect(span.by_component.idle).toBeLessThan(0.2);
    expect(span.by_component).not.toHaveProperty('gone');
    expect(span.busy_cores).toBeGreaterThanOrEqual(span.by_component.busy! - 0.2);
    expect(span.busy_cores).toBeLessThanOrEqual(span.cores);
  });

  it('describes a span with the biggest users first', () => {
    expect(
      describeCpu({ cores: 2, busy_cores: 1.9, by_component: { s3: 0.05, esm: 1.1, 'http-api': 0.5 } }, 2),
    ).toBe('1.9 of 2 cores: esm 1.1, http-api 0.5');
    expect(describeCpu(undefined)).toBe('-');
  });

  it('refuses to stop before it started', () => {
    expect(() => new CpuSampler(() => []).stop()).toThrow(/before start/);
  });
});
