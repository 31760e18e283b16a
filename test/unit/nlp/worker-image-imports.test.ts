import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contextCopies } from '../../infra/dockerfile.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ENTRY = 'containers/nlp/entry.ts';
const DOCKERFILE = 'containers/nlp/Dockerfile';

// Static and dynamic imports of the repository's own modules (relative specifiers).
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gmu;

/** Every repository file the worker's entry point loads, as paths from the root. */
function moduleGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]!));
      if (existsSync(join(ROOT, target))) pending.push(target);
    }
  }
  return seen;
}

describe('the NLP worker image', () => {
  const graph = moduleGraph(ENTRY);
  const copied = contextCopies(readFileSync(join(ROOT, DOCKERFILE), 'utf8')).flatMap((c) => c.sources);

  it('loads modules from core/, io/ and its own folder only, never the local mirror', () => {
    expect(graph.size).toBeGreaterThan(10);
    const outside = [...graph].filter((f) => !/^(core|io|containers\/nlp)\//u.test(f));
    expect(outside).toEqual([]);
  });

  it('copies every module the worker loads, and nothing from local/', () => {
    const covered = (file: string) => copied.some((src) => file === src || file.startsWith(`${src}/`));
    expect([...graph].filter((f) => !covered(f))).toEqual([]);
    expect(copied.filter((src) => src === 'local' || src.startsWith('local/'))).toEqual([]);
  });
});
