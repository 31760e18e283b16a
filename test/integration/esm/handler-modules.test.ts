import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, MSKEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../../../core/mappings.ts';
import { loadMappedHandlers } from '../../../local/esm/handler-modules.ts';

// A function whose module state is a buffer, as Powertools Metrics keeps one: each invocation
// adds to it, waits, and answers with what its own module buffered.
const HANDLER = `
const buffered = [];
const instance = Math.random().toString(36).slice(2);
export async function handler(event) {
  buffered.push(event.id);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const seen = buffered.splice(0);
  return { instance, seen };
}
`;

const dir = mkdtempSync(join(tmpdir(), 'spate-handlers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const definition = { functionName: 'buffering' } as MappingDefinition;
const invokeWith = (handler: (e: MSKEvent, c: Context) => Promise<unknown>, id: string) =>
  handler({ id } as unknown as MSKEvent, {} as Context) as Promise<{ instance: string; seen: string[] }>;

describe('loadMappedHandlers', () => {
  it('runs invocations in flight in module instances of their own, and reuses an idle one', async () => {
    mkdirSync(join(dir, 'buffering'));
    writeFileSync(join(dir, 'buffering', 'handler.ts'), HANDLER);
    const [mapped] = await loadMappedHandlers(dir, [definition]);
    if (!mapped) throw new Error('no handler loaded');

    const [a, b] = await Promise.all([invokeWith(mapped.handler, 'a'), invokeWith(mapped.handler, 'b')]);
    expect(a.seen).toEqual(['a']);
    expect(b.seen).toEqual(['b']);
    expect(a.instance).not.toBe(b.instance);

    const c = await invokeWith(mapped.handler, 'c');
    expect(c.seen).toEqual(['c']);
    expect([a.instance, b.instance]).toContain(c.instance);
  });

  it('gives a function fed by two mappings one pool of containers', async () => {
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'handler.ts'), HANDLER);
    const first = { functionName: 'shared', groupId: 'one' } as MappingDefinition;
    const second = { functionName: 'shared', groupId: 'two' } as MappingDefinition;
    const [one, two] = await loadMappedHandlers(dir, [first, second]);
    if (!one || !two) throw new Error('no handlers loaded');

    const [a, b] = await Promise.all([invokeWith(one.handler, 'a'), invokeWith(two.handler, 'b')]);
    expect(a.seen).toEqual(['a']);
    expect(b.seen).toEqual(['b']);
    expect(a.instance).not.toBe(b.instance);
  });

  it('names the function and the module when the handler export is missing', async () => {
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'handler.ts'), 'export const nothing = 1;\n');
    await expect(loadMappedHandlers(dir, [{ functionName: 'broken' } as MappingDefinition])).rejects.toThrow(
      /broken: .*handler\.ts must export a function named "handler"/,
    );
  });
});
