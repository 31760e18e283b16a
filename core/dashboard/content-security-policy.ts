import { createHash } from 'node:crypto';

/**
 * The dashboard site's Content-Security-Policy, the same from CloudFront (lib/query.ts) and from
 * the local gateway. The page's first paint depends on inline scripts in index.html (the
 * snapshot request, filling the shell, starting the app), so the policy allows exactly those
 * scripts by hash: `script-src 'self'` alone would block them and leave the page at dashes,
 * and 'unsafe-inline' would allow any injected script as well.
 */
export interface DashboardPolicyOptions {
  /** Where the page may connect besides its own origin: the WebSocket API, e.g. `wss://*.amazonaws.com`. */
  readonly connectSources: readonly string[];
}

/** A `<script>` element without `src`: its text is what the browser hashes. */
const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** `'sha256-…'` for each inline script of a page, in document order. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const [, attributes = '', text = ''] of html.matchAll(INLINE_SCRIPT)) {
    if (/\ssrc\s*=/i.test(` ${attributes}`)) continue;
    // The HTML parser turns CRLF into LF before the script's text is hashed.
    const digest = createHash('sha256').update(text.replace(/\r\n?/g, '\n'), 'utf8').digest('base64');
    hashes.push(`'sha256-${digest}'`);
  }
  return hashes;
}

/** The policy for the built index.html; its inline scripts are the only ones allowed. */
export function dashboardContentSecurityPolicy(indexHtml: string, options: DashboardPolicyOptions): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...inlineScriptHashes(indexHtml)].join(' '),
    ["connect-src 'self'", ...options.connectSources].join(' '),
    "img-src 'self' data:",
    // uPlot and React set style attributes; the build inlines the stylesheet.
    "style-src 'self' 'unsafe-inline'",
    "frame-ancestors 'none'",
  ].join('; ');
}
