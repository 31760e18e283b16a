import type { DashboardConfig } from './config.ts';
import { earlyFilteredOverviewValue, takeEarlyFilteredOverview } from './early-filtered-overview.ts';
import { type DashboardFilter, filterQuery } from './filters.ts';
import type { ChartSeries } from './LineChart.tsx';
import { liveWindowStartMs } from './live-window.ts';
import { queryJson, usePolled } from './use-polled.ts';

/** How often the filtered tiles and chart ask again: the warm tier trails the stream by seconds. */
const FILTERED_POLL_MS = 5000;
const WINDOW_MS = 5 * 60_000;
/** Ten-second points: thirty over the window, enough to see a launch's minute. */
export const FILTERED_STEP_S = 10;

interface Tiered {
  readonly tiers?: readonly string[];
  readonly degraded?: readonly { readonly tier?: string; readonly store?: string }[];
}
type OverviewAnswer = Tiered & Record<string, unknown>;
type SeriesAnswer = Tiered & { readonly points?: readonly { t: number; value: number }[] };

export interface FilteredView {
  /** The filtered overview of the live window (live-window.ts), as the query API answers it. */
  readonly overview: Readonly<Record<string, unknown>> | undefined;
  readonly events: { readonly xs: number[]; readonly series: ChartSeries[] };
  /** The tiers that answered, and those that did not. */
  readonly tiers: readonly string[];
  readonly degraded: readonly string[];
  readonly error: string | undefined;
}

/**
 * The headline figures and the events chart of the events passing the page's filters, polled
 * from the query API (nothing filtered comes over the WebSocket); undefined while no filter is
 * set, when the live view is the WebSocket's. The figures are of the live window
 * (live-window.ts), which the hot tier answers for one filter.
 */
export function useFilteredView(
  config: DashboardConfig,
  filters: readonly DashboardFilter[],
): FilteredView | undefined {
  const query = filterQuery(filters);
  const key = filters.length > 0 ? `${config.apiBase} ${query}` : undefined;
  // A filtered link's first answer is the one index.html asked for and painted; asked again
  // only if that failed, for the query API's own words on why.
  const overview = usePolled(
    key,
    () => {
      const ask = () =>
        queryJson<OverviewAnswer>(
          config,
          `/v1/metrics/overview?${query}&from=${new Date(liveWindowStartMs(Date.now())).toISOString()}`,
        );
      return takeEarlyFilteredOverview(query)?.catch(ask) ?? ask();
    },
    FILTERED_POLL_MS,
    key === undefined ? undefined : earlyFilteredOverviewValue(query),
  );
  const series = usePolled(
    key,
    () => {
      const from = new Date(Date.now() - WINDOW_MS).toISOString();
      return queryJson<SeriesAnswer>(
        config,
        `/v1/metrics/timeseries?metric=events&from=${from}&step=${FILTERED_STEP_S}&${query}`,
      );
    },
    FILTERED_POLL_MS,
  );
  if (key === undefined) return undefined;
  const points = series.data?.points ?? [];
  const answers = [overview.data, series.data];
  return {
    overview: overview.data,
    events: {
      xs: points.map((p) => p.t / 1000),
      series: [{ label: 'events', values: points.map((p) => p.value) }],
    },
    tiers: [...new Set(answers.flatMap((a) => a?.tiers ?? []))],
    degraded: [...new Set(answers.flatMap((a) => (a?.degraded ?? []).map((d) => d.tier ?? d.store ?? '')))],
    error: overview.error ?? series.error,
  };
}
