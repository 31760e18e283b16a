import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const sdk = join(root, 'sdk');
const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
};
const run = promisify(execFile);
let out: string;
let browserBuild: Map<string, string>;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'spate-sdk-'));
  await run(join(root, 'node_modules/.bin/tsc'), [
    '-p',
    join(sdk, 'tsconfig.build.json'),
    '--outDir',
    join(out, 'dist'),
  ]);
  const results = (await build({
    configFile: join(sdk, 'vite.config.ts'),
    logLevel: 'silent',
    build: { write: false },
  })) as Rolldown.RolldownOutput[];
  browserBuild = new Map(
    results.flatMap((r) =>
      r.output.flatMap((c) => (c.type === 'chunk' ? [[`dist/browser/${c.fileName}`, c.code]] : [])),
    ),
  );
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the SDK package', () => {
  it('builds every file its manifest points at', () => {
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
    ];
    for (const target of targets) {
      const path = target.replace(/^\.\//, '');
      expect(existsSync(join(out, path)) || browserBuild.has(path), target).toBe(true);
    }
  });

  it('loads in Node as an ES module with its types, depending on nothing', async () => {
    const module = await import(join(out, 'dist/index.js'));
    for (const name of ['createNodeClient', 'createBrowserClient', 'SpateClient', 'createHttpTransport'])
      expect(typeof module[name], name).toBe('function');
    expect(readFileSync(join(out, 'dist/index.d.ts'), 'utf8')).toContain('createBrowserClient');
    const imports = readFileSync(join(out, 'dist/client.js'), 'utf8').match(/from '([^']+)'/g) ?? [];
    expect(imports.every((i) => i.startsWith("from './"))).toBe(true);
  });

  it('has a browser build of at most 8 KB min+gzip that defines Spate for a script tag', () => {
    for (const [file, code] of browserBuild)
      expect(gzipSync(code).length, file).toBeLessThanOrEqual(8 * 1024);
    // What any browser the SDK supports has; nothing else of the page is touched on load.
    const context: Record<string, unknown> = { TextEncoder };
    runInNewContext(browserBuild.get('dist/browser/spate.min.js')!, context);
    expect(typeof (context.Spate as { createBrowserClient?: unknown }).createBrowserClient).toBe('function');
  });
});
