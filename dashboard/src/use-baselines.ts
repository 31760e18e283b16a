import { COMPARISON_PERIODS, type ComparisonPeriod, shiftedRange } from './comparison.ts';
import { ACTIVE_SECONDS, type PeriodOverviews, WINDOW_SECONDS } from './comparison-figures.ts';
import type { DashboardConfig } from './config.ts';
import { type DashboardFilter, filterQuery } from './filters.ts';
import { liveWindowStartMs } from './live-window.ts';
import { queryJson, usePolled } from './use-polled.ts';

/** Earlier periods move slowly (their minutes are history): asked twice a minute. */
const BASELINE_POLL_MS = 30_000;

type Overview = Readonly<Record<string, unknown>>;
export type Baselines = Readonly<Record<ComparisonPeriod, PeriodOverviews>>;

/**
 * The overviews of the same minutes one day and one week before, with the page's filters: the
 * window of the tiles (5 minutes; filtered, the live window of live-window.ts), and its last
 * minute for "Active now" (unfiltered only: filtered answers have no active visitors).
 */
export function useBaselines(
  config: DashboardConfig,
  filters: readonly DashboardFilter[],
): Baselines | undefined {
  const query = filterQuery(filters);
  const { data } = usePolled(
    `${config.apiBase} ${query}`,
    async () => {
      const nowMs = Date.now();
      const overview = async (fromMs: number, shiftMs: number): Promise<Overview | undefined> => {
        const { from, to } = shiftedRange(fromMs, nowMs, shiftMs);
        const answer = await queryJson<Overview & { degraded?: readonly unknown[] }>(
          config,
          `/v1/metrics/overview?from=${from}&to=${to}${query ? `&${query}` : ''}`,
        );
        // A tier that did not answer leaves zeros, which would read as "nothing then": unknown.
        return (answer.degraded ?? []).length > 0 ? undefined : answer;
      };
      const periods = await Promise.all(
        COMPARISON_PERIODS.map(async (p) => {
          const [window, minute] = await Promise.all([
            overview(
              filters.length > 0 ? liveWindowStartMs(nowMs) : nowMs - WINDOW_SECONDS * 1000,
              p.shiftMs,
            ),
            filters.length > 0 ? undefined : overview(nowMs - ACTIVE_SECONDS * 1000, p.shiftMs),
          ]);
          return [p.name, { window, minute }] as const;
        }),
      );
      return Object.fromEntries(periods) as Baselines;
    },
    BASELINE_POLL_MS,
  );
  return data;
}
