import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Shapes the built index.html for the first paint. The app's entry script becomes inert (a type
 * the browser neither fetches nor runs) and index.html starts it once the snapshot's numbers are
 * on screen. The stylesheet (a few KB) is inlined: a render-blocking request on a first visit
 * costs more than the bytes. The dev server keeps the plain module script and stylesheet link.
 */
function firstPaintShell(): Plugin {
  const ENTRY = /<script type="module" crossorigin src="/g;
  const STYLESHEET = /<link rel="stylesheet" crossorigin href="\.\/([^"]+)">/g;
  return {
    name: 'spate-first-paint-shell',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        const entries = html.match(ENTRY)?.length ?? 0;
        if (entries !== 1)
          throw new Error(`firstPaintShell: expected one module entry script, found ${entries}`);
        const inlined = html.replace(STYLESHEET, (link, file: string) => {
          const asset = bundle?.[file];
          if (asset?.type !== 'asset') return link;
          delete bundle[file];
          return `<style>${String(asset.source)}</style>`;
        });
        return inlined.replace(ENTRY, '<script type="spate/app" crossorigin src="');
      },
    },
  };
}

// Built by `npm install` (prepare) into dashboard/dist, which the local gateway serves at /.
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: './',
  plugins: [react(), firstPaintShell()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  logLevel: 'warn',
});
