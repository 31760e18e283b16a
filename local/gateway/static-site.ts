import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { GatewayResponse } from './http-response.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Bundlers name immutable assets `name-<hash>.ext` or `name.<hash>.ext`; those can be cached forever. */
const HASHED = /[.-][A-Za-z0-9_]{8,}\.[a-z0-9]+$/;

export function cacheControlOf(path: string): string {
  if (path.endsWith('.html')) return 'no-cache';
  return HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate';
}

/** Maps a URL path to a file under root, or undefined when it would escape root. */
export function resolveUnderRoot(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const target = resolve(join(base, normalize(decoded)));
  return target === base || target.startsWith(base + sep) ? target : undefined;
}

async function fileAt(path: string): Promise<GatewayResponse | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    return {
      statusCode: 200,
      headers: {
        'content-type': contentTypeOf(path),
        'cache-control': cacheControlOf(path),
        'last-modified': info.mtime.toUTCString(),
      },
      body: await readFile(path),
    };
  } catch {
    return undefined;
  }
}

/**
 * Serves the built dashboard: the file itself, `index.html` for a directory, or, for a path
 * without a file extension (a client-side route), the root `index.html`.
 */
export async function serveStatic(root: string, urlPath: string): Promise<GatewayResponse | undefined> {
  const target = resolveUnderRoot(root, urlPath);
  if (target === undefined) return undefined;
  const direct = (await fileAt(target)) ?? (await fileAt(join(target, 'index.html')));
  if (direct !== undefined) return direct;
  if (extname(urlPath) !== '') return undefined;
  return fileAt(join(resolve(root), 'index.html'));
}
