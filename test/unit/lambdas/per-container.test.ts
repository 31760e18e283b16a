import { describe, expect, it } from 'vitest';
import { perContainer } from '../../../lambdas/per-container.ts';

describe('perContainer', () => {
  it('makes the thing once, however many invocations ask at once', async () => {
    let made = 0;
    const container = perContainer(async () => ++made);
    expect(await Promise.all([container(), container(), container()])).toEqual([1, 1, 1]);
    expect(made).toBe(1);
  });

  it('tries again after a failed attempt instead of keeping the failure', async () => {
    let attempts = 0;
    const container = perContainer(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('Secrets Manager unreachable');
      return 'ready';
    });
    await expect(container()).rejects.toThrow('Secrets Manager unreachable');
    expect(await container()).toBe('ready');
    expect(await container()).toBe('ready');
    expect(attempts).toBe(2);
  });
});
