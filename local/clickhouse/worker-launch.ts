import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** tsx's ESM registration entry, found through its export map. */
function tsxRegisterUrl(): string {
  const packageJson = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } } | string>;
  };
  const entry = manifest.exports['./esm/api'];
  const relative = typeof entry === 'object' ? entry.import?.default : undefined;
  if (!relative) throw new Error('tsx: no ESM entry for ./esm/api in its package.json exports');
  return pathToFileURL(join(dirname(packageJson), relative)).href;
}

/**
 * Starts a worker thread on a module of this project. The project runs TypeScript without
 * a build step, and worker threads do not inherit the parent's loader hooks, so a `.ts`
 * module is reached through a one-line bootstrap that registers tsx in the worker first.
 */
export function launchWorker(module: URL, options: WorkerOptions): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, options);
  const bootstrap =
    `import { register } from ${JSON.stringify(tsxRegisterUrl())};\n` +
    'register();\n' +
    `await import(${JSON.stringify(module.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}
