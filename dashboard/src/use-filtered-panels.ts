import type { JsonObject } from '../../core/push/merge-patch.ts';
import type { DashboardConfig } from './config.ts';
import { type DashboardFilter, filterQuery } from './filters.ts';
import { queryJson, usePolled } from './use-polled.ts';

/** The top lists and the funnel of a filtered page move slower than its tiles: asked every 10 s. */
const PANELS_POLL_MS = 10_000;
/** The live panels' windows: top lists over 5 minutes, the funnel over 30. */
const TOP_WINDOW_S = 300;
const FUNNEL_WINDOW_S = 1800;

export interface FilteredPanels {
  readonly products: JsonObject | undefined;
  readonly carts: JsonObject | undefined;
  readonly purchases: JsonObject | undefined;
  /** The default funnel: visitors per step of the filtered events (the live one counts attempts). */
  readonly funnel: JsonObject | undefined;
}

/**
 * The live top lists and funnel of the events passing the page's filters, from the query API
 * (their live channels keep no dimension; the API reads them from the warm tier); undefined
 * while no filter is set, when they are the WebSocket's.
 */
export function useFilteredPanels(
  config: DashboardConfig,
  filters: readonly DashboardFilter[],
): FilteredPanels | undefined {
  const query = filterQuery(filters);
  const key = filters.length > 0 ? `${config.apiBase} ${query}` : undefined;
  const { data } = usePolled(
    key,
    async () => {
      const top = (dimension: string) =>
        queryJson<JsonObject>(
          config,
          `/v1/metrics/top?dimension=${dimension}&window=${TOP_WINDOW_S}&${query}`,
        );
      const [products, carts, purchases, funnel] = await Promise.all([
        top('products'),
        top('carts'),
        top('purchases'),
        queryJson<JsonObject>(config, `/v1/funnels/default?window=${FUNNEL_WINDOW_S}&${query}`),
      ]);
      return { products, carts, purchases, funnel };
    },
    PANELS_POLL_MS,
  );
  if (key === undefined) return undefined;
  return {
    products: data?.products,
    carts: data?.carts,
    purchases: data?.purchases,
    funnel: data?.funnel,
  };
}
