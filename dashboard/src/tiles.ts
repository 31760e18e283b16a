/**
 * The headline tiles. index.html carries the same tiles as a static shell that a small
 * inline script fills from the first snapshot before the app's script has loaded, so the
 * numbers show without waiting for React; test/unit/dashboard/shell.test.ts keeps the two
 * in step (labels, keys, order, formats).
 */
export interface TileSpec {
  readonly label: string;
  /**
   * Field of the overview snapshot, or one derived from it (comparison-figures.ts tileOverview):
   * the shell has no such field and shows a dash until the app has loaded.
   */
  readonly key: string;
  /** `percent`: a rate (0.034) written as `3.4%`. */
  readonly format: 'count' | 'money' | 'percent';
  readonly testId?: string;
}

export const HEADLINE_TILES: readonly TileSpec[] = [
  { label: 'Events (5 min)', key: 'events', format: 'count', testId: 'events-total' },
  { label: 'Events / s', key: 'events_per_s', format: 'count' },
  { label: 'Active now', key: 'active_now', format: 'count', testId: 'active-now' },
  { label: 'Visitors (5 min)', key: 'unique_visitors', format: 'count' },
  { label: 'Orders (5 min)', key: 'orders', format: 'count' },
  { label: 'Revenue (5 min)', key: 'revenue', format: 'money' },
  { label: 'Conversion (5 min)', key: 'conversion_rate', format: 'percent', testId: 'conversion-rate' },
  { label: 'Order value (5 min)', key: 'average_order_value', format: 'money', testId: 'order-value' },
];
