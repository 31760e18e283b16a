import { defineConfig } from 'vite';

/**
 * The browser build: one minified script for a <script> tag (global `Spate`) and one ES module,
 * each with no dependency. `npm run build` in sdk/ writes them to dist/browser.
 */
export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  build: {
    outDir: 'dist/browser',
    emptyOutDir: true,
    minify: true,
    sourcemap: true,
    lib: {
      entry: 'index.ts',
      name: 'Spate',
      formats: ['iife', 'es'],
      fileName: (format) => (format === 'iife' ? 'spate.min.js' : 'spate.min.mjs'),
    },
  },
});
