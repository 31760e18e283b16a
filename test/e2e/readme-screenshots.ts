/**
 * The README's screenshots, made from the real thing: `npm run screenshots` starts `spate local`,
 * sends a minute of `spate load` traffic, and saves the dashboard in headless Chromium at each
 * width of LAYOUT_WIDTHS to docs/screenshots/, after checking the layout has nothing cut short
 * or overlapping (it exits 1, naming the problems, when it has).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './headless-chromium.ts';
import { LAYOUT_WIDTHS, layoutProblems } from './layout-probe.ts';
import { ensureDashboardBuilt, ROOT, startLocalStackProcess } from './local-stack-process.ts';

const out = join(ROOT, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
ensureDashboardBuilt();
const stack = await startLocalStackProcess();
const load = spawn(
  process.execPath,
  [
    join(ROOT, 'bin', 'spate.js'),
    'load',
    '--data-dir',
    stack.dataDir,
    '--rate',
    '120',
    '--tweets-rate',
    '6',
    '--duration',
    '600',
  ],
  { cwd: ROOT, stdio: 'ignore' },
);
const browser = await launchChromium();
let failed = false;
try {
  // A minute of traffic: every chart has points and the tiles have figures of a real size.
  await new Promise((r) => setTimeout(r, 60_000));
  for (const size of LAYOUT_WIDTHS) {
    const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
    await page.goto(stack.endpoints.dashboard);
    await page.getByTestId('transport').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 5_000));
    const file = join(out, `dashboard-${size.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const problems = await layoutProblems(page);
    process.stdout.write(`${file}: ${problems.length === 0 ? 'ok' : problems.join('; ')}\n`);
    failed ||= problems.length > 0;
    await page.close();
  }
} finally {
  load.kill('SIGTERM');
  await browser.close();
  await stack.stop();
}
process.exit(failed ? 1 : 0);
