/** What bench/dashboard/first-paint.ts measured, as it writes it to report.json. */
export interface FirstPaintReport {
  readonly at: string;
  /** Events a second `spate load` added to the demo traffic for the busier first visits. */
  readonly extraRate: number;
  /** The filtered link's `filter` (older reports: none, no filtered visits). */
  readonly filter?: string;
  readonly machine: { readonly cores: number; readonly cpu: string; readonly memory_gib: number };
  readonly rounds: number;
  readonly navigations: number;
  readonly queries: number;
  readonly medianOfRounds: Record<string, number>;
  readonly perRound: readonly Record<string, number>[];
}

const TARGET_FIRST_PAINT_MS = 100;
const TARGET_OVERVIEW_MS = 50;
/** A filtered link's first paint may take this much longer than the plain link's. */
const FILTERED_SLOWER_AT_MOST = 1.2;

/** bench/dashboard/REPORT.md from the run's own figures. */
export function firstPaintMarkdown(r: FirstPaintReport): string {
  const m = r.medianOfRounds;
  const ms = (key: string) => (m[key] === undefined ? '-' : `${m[key]} ms`);
  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const atMost = (key: string, target: number) => verdict(m[key] !== undefined && m[key] <= target);
  const below = (key: string, target: number) => verdict(m[key] !== undefined && m[key] < target);
  const loads = r.perRound.map((row) => row.loadAverage).join(', ');
  const busyLoads = r.perRound.map((row) => row.busyLoadAverage).join(', ');
  // Within 20% at p50 and at p95, each against the plain link's first visits of the same rounds.
  const withinOfPlain = (p: 'P50' | 'P95') => {
    const plain = m[`firstNumbers${p}`];
    const filtered = m[`filteredFirstNumbers${p}`];
    return plain !== undefined && filtered !== undefined && filtered <= plain * FILTERED_SLOWER_AT_MOST;
  };
  const filteredLink = `\`&filter=${r.filter ?? '-'}\``;
  return `# Dashboard first paint and overview query

\`npx tsx bench/dashboard/first-paint.ts ${r.rounds} ${r.navigations} ${r.queries}\` at ${r.at} on ${r.machine.cores} cores
(${r.machine.cpu}), ${r.machine.memory_gib} GiB. Each round builds the dashboard, starts \`spate local\` as \`npm start\`
runs it (every component and the demo traffic, 20 events and 2 tweets a second; free ports, a throwaway
data dir), sends it 30 minutes of the demo's traffic stamped in the past (so the hot tier is as
deep as on a stack that has run that long), waits until every consumer has taken it in, and
measures:

- **first numbers painted**: the page's own mark \`spate:first-numbers\`, set just after the frame that
  first shows the snapshot's numbers (the page's first contentful frame, unless the snapshot takes
  longer than 150 ms), from navigation start; ${r.navigations} navigations each of the dashboard link served
  by the local gateway in headless Chromium:
  - **first visit**: a new tab of a running browser, as a dashboard link opens it, with the HTTP
    cache and the site's storage cleared first, 5.5 s apart (past the gateway's keep-alive, so it
    has closed the last visit's connection);
  - **fresh browser profile**: each in a new browser context, a second apart: Chromium also sets up
    storage and a network context for a profile never used, which a visitor's running browser has
    done already;
  - **return visit**: one tab for all of them, a second apart;
  - **first visit, filtered link**: the same link with ${filteredLink}, visited as the first visits
    and alternating with them (each navigation visits both links, the order reversed every other
    time): index.html asks for the filtered overview beside the snapshot and paints the tiles from it.

  The harness does not touch the page until it requests its app script, which it does just after
  that frame (Playwright's polling helpers inject a 300 KB script, which before the frame would delay it).
- **Chromium's floor**: the same visits to a one-line page served by a bare Node server, timed to the
  same mark: what no page can beat on this machine.
- **overview query**: ${r.queries} sequential \`GET /v1/metrics/overview\` with the dashboard token through the
  local gateway, after 10 warm-up requests.
- **busier**: the first visits again with \`spate load --rate ${r.extraRate}\` adding five times the demo's events.

Figures are medians over the rounds of each round's percentile. 1-minute load average at the end of
each round's demo-traffic part: ${loads}; at the end of its busier part: ${busyLoads} (the stack, its
traffic and Chromium share the cores).

## Targets
- first paint ≤ ${TARGET_FIRST_PAINT_MS} ms p95, first visit: ${atMost('firstNumbersP95', TARGET_FIRST_PAINT_MS)} (${ms('firstNumbersP95')}; Chromium's floor for a one-line page: ${ms('floorFirstVisitP95')})
- first paint ≤ ${TARGET_FIRST_PAINT_MS} ms p95, return visit: ${atMost('returnFirstNumbersP95', TARGET_FIRST_PAINT_MS)} (${ms('returnFirstNumbersP95')})
- first paint ≤ ${TARGET_FIRST_PAINT_MS} ms p95, fresh browser profile: ${atMost('freshProfileFirstNumbersP95', TARGET_FIRST_PAINT_MS)} (${ms('freshProfileFirstNumbersP95')}; Chromium's floor for a one-line page: ${ms('floorFreshProfileP95')})
- filtered first paint within ${Math.round((FILTERED_SLOWER_AT_MOST - 1) * 100)}% of unfiltered (p50 and p95), first visit: ${verdict(withinOfPlain('P50') && withinOfPlain('P95'))} (${ms('filteredFirstNumbersP50')} / ${ms('filteredFirstNumbersP95')} against ${ms('firstNumbersP50')} / ${ms('firstNumbersP95')})
- overview p95 < ${TARGET_OVERVIEW_MS} ms: ${below('overview5mP95', TARGET_OVERVIEW_MS)} (${ms('overview5mP95')})

## Results
| measure | p50 | p95 |
|---|---:|---:|
| first numbers painted, first visit | ${ms('firstNumbersP50')} | ${ms('firstNumbersP95')} |
| first numbers painted, first visit, filtered link (${filteredLink}) | ${ms('filteredFirstNumbersP50')} | ${ms('filteredFirstNumbersP95')} |
| first numbers painted, return visit | ${ms('returnFirstNumbersP50')} | ${ms('returnFirstNumbersP95')} |
| first numbers painted, fresh browser profile | ${ms('freshProfileFirstNumbersP50')} | ${ms('freshProfileFirstNumbersP95')} |
| first numbers painted, first visit, ${r.extraRate} events/s more | ${ms('busyFirstNumbersP50')} | ${ms('busyFirstNumbersP95')} |
| Chromium's floor (one-line page, first visit) | ${ms('floorFirstVisitP50')} | ${ms('floorFirstVisitP95')} |
| Chromium's floor (one-line page, fresh browser profile) | ${ms('floorFreshProfileP50')} | ${ms('floorFreshProfileP95')} |
| first contentful paint (the browser's own entry, once the frame is presented), first visit | ${ms('fcpP50')} | ${ms('fcpP95')} |
| first contentful paint, return visit | ${ms('returnFcpP50')} | ${ms('returnFcpP95')} |
| \`index.html\` response end, first visit | ${ms('htmlP50')} | |
| \`/v1/snapshot\` request started (inline script in \`<head>\`) | ${ms('snapshotStartP50')} | |
| \`/v1/snapshot\` in the browser, first visit | ${ms('snapshotRequestP50')} | ${ms('snapshotRequestP95')} |
| \`/v1/snapshot\` in the gateway (its Server-Timing), first visit | ${ms('snapshotServerP50')} | ${ms('snapshotServerP95')} |
| \`/v1/snapshot\` in the gateway, fresh browser profile | | ${ms('freshProfileSnapshotServerP95')} |
| \`/v1/snapshot\` in the gateway, first visit, ${r.extraRate} events/s more | | ${ms('busySnapshotServerP95')} |
| filtered overview (the filtered link's tiles) in the browser, first visit | ${ms('filteredOverviewRequestP50')} | ${ms('filteredOverviewRequestP95')} |
| filtered overview in the gateway (its Server-Timing), first visit | ${ms('filteredOverviewServerP50')} | ${ms('filteredOverviewServerP95')} |
| \`/v1/snapshot\` from Node, through the gateway | ${ms('snapshotApiP50')} | ${ms('snapshotApiP95')} |
| the same snapshot computed from the aggregates (what the ledger saves), from Node | ${ms('snapshotComputedP50')} | ${ms('snapshotComputedP95')} |
| overview, last 5 min (hot tier) | ${ms('overview5mP50')} | ${ms('overview5mP95')} |
| overview, last hour | | ${ms('overview1hP95')} |
| overview, last 3 days (hot + warm) | | ${ms('overview3dP95')} |

## How the page reaches its first numbers
1. \`index.html\` starts \`GET /v1/snapshot\` from an inline script in \`<head>\`, before anything else loads.
2. It carries a static shell of the header and headline tiles (the markup \`App.tsx\` renders, from
   \`src/tiles.ts\`; a unit test keeps them in step) and fills the tiles from the snapshot as it arrives.
   The shell stays hidden until then (150 ms at most), so its first frame shows numbers, not dashes
   replaced a frame later; numbers are grouped by hand, as \`src/format.ts\` does, because a fresh page's
   first call into Intl costs 10-15 ms. The stylesheet is inlined by the build: a render-blocking request
   costs a first visit more than its bytes.
3. The app's script is inert until then (\`vite.config.ts\`, \`firstPaintShell\`): index.html starts it
   once the numbers are painted (or after 1.5 s), so fetching, compiling and mounting React and the
   charts never come before the frame that shows the numbers. React starts from the same snapshot,
   so its first render changes nothing on screen.
4. A filtered link (\`?filter=\`) paints its tiles from its filtered overview instead, which the same
   inline script asks for beside the snapshot (\`GET /v1/metrics/overview?filter=...&from=...\`, the
   request the app would make; the snapshot's figures are of all traffic and are never painted there),
   and the app takes that answer over as its first filtered overview. Its window is whole minutes (from
   the start of the minute five minutes ago), so one filter on a dimension the dashboard filters by is
   answered by the hot tier's live breakdowns, a few Redis reads (\`core/query/hot-filtered-overview.ts\`),
   not by the warm tier's rows, which took 41 ms at the gateway while the demo's inserts ran.
5. \`/v1/snapshot\` serves channels the broadcaster recorded in the last 2 s from its ledger (13 small
   reads) and computes the others from the hot tier. While events flow, the broadcaster records every
   channel at least once a second whether or not a dashboard watches it (\`SPATE_UNWATCHED_REFRESH_MS\`),
   so a first visitor's snapshot is the ledger read, not the few hundred reads of computing it, which
   on a busy machine was the slowest step of a first visit.
`;
}
