import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardContentSecurityPolicy } from '../../core/dashboard/content-security-policy.ts';

/**
 * The dashboard site's response headers as the CloudFront distribution sends them
 * (lib/query.ts), so a page that breaks under the deployed policy breaks here too. HSTS is left
 * out: a browser ignores it over http.
 */
export function localSiteHeaders(staticDir: string, wsUrl: string | undefined): Record<string, string> {
  const index = join(staticDir, 'index.html');
  if (!existsSync(index)) return {};
  return {
    'content-security-policy': dashboardContentSecurityPolicy(readFileSync(index, 'utf8'), {
      // The WebSocket API listens on its own port, another origin than the page's.
      connectSources: wsUrl ? [new URL(wsUrl).origin] : [],
    }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}
