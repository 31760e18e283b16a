/**
 * The headline tiles' figures: the two derived from the overview (conversion rate, average
 * order value) and, for each tile, the one number compared with earlier periods. Pure, so the
 * live overview (WebSocket), the filtered one and the earlier periods' (query API) read alike.
 */
type Overview = Readonly<Record<string, unknown>>;
type Amounts = Readonly<Record<string, number>>;

/** The headline window: the tiles say "(5 min)". */
export const WINDOW_SECONDS = 300;
/** "Active now" is the visitors of the last minute; an earlier period's is its minute's visitors. */
export const ACTIVE_SECONDS = 60;

const numberOr = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function amounts(v: unknown): Amounts | undefined {
  if (!v || typeof v !== 'object') return undefined;
  return v as Amounts;
}

/** Orders per visitor; unknown without visitors (a rate of nobody is no rate). */
export function conversionRate(orders: unknown, visitors: unknown): number | undefined {
  const o = numberOr(orders);
  const v = numberOr(visitors);
  return o === undefined || v === undefined || v === 0 ? undefined : o / v;
}

/**
 * Revenue per order, in the revenue's currency. Orders are not counted per currency, so with
 * revenue in more than one currency there is no honest figure: unknown.
 */
export function averageOrderValue(revenue: unknown, orders: unknown): Record<string, number> | undefined {
  const byCurrency = amounts(revenue);
  const n = numberOr(orders);
  if (!byCurrency || n === undefined || n === 0) return undefined;
  const entries = Object.entries(byCurrency);
  if (entries.length !== 1) return undefined;
  const [currency, amount] = entries[0]!;
  return { [currency]: amount / n };
}

/** A rate as a percentage with one decimal: `3.4%`; `—` when unknown. */
export function percent(rate: unknown): string {
  const r = numberOr(rate);
  return r === undefined ? '—' : `${(r * 100).toFixed(1)}%`;
}

/** The currency with the largest amount, which a money tile shows first. */
export function leadingCurrency(revenue: unknown): string | undefined {
  const byCurrency = amounts(revenue);
  if (!byCurrency) return undefined;
  return Object.entries(byCurrency).sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The seconds a query API answer covers (its `from` and `to`); the tiles' window for others. */
function windowSecondsOf(overview: Overview): number {
  const seconds = (Date.parse(String(overview.to)) - Date.parse(String(overview.from))) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : WINDOW_SECONDS;
}

/**
 * The overview as the tiles read it: with conversion rate, average order value and, where the
 * answer has none (the query API's), events per second over the range it answered.
 */
export function tileOverview(overview: Overview | undefined): Overview | undefined {
  if (!overview) return undefined;
  const windowSeconds = windowSecondsOf(overview);
  const events = numberOr(overview.events);
  return {
    ...overview,
    events_per_s:
      numberOr(overview.events_per_s) ??
      (events === undefined ? undefined : Math.round((events / windowSeconds) * 10) / 10),
    conversion_rate: conversionRate(overview.orders, overview.unique_visitors),
    average_order_value: averageOrderValue(overview.revenue, overview.orders),
  };
}

const MONEY_KEYS = new Set(['revenue', 'average_order_value']);

/**
 * A tile's figure as one number, for comparison: money in `currency` (the current period's
 * leading one; an earlier period without it had none: 0), everything else as it stands.
 */
export function tileFigure(
  key: string,
  overview: Overview | undefined,
  currency: string | undefined,
): number | undefined {
  if (!overview) return undefined;
  if (!MONEY_KEYS.has(key)) return numberOr(overview[key]);
  const byCurrency = amounts(overview[key]);
  if (!byCurrency) return undefined;
  return currency === undefined ? 0 : (byCurrency[currency] ?? 0);
}

/** What an earlier period answered: the overview of its window and of its last minute. */
export interface PeriodOverviews {
  readonly window: Overview | undefined;
  readonly minute: Overview | undefined;
}

/**
 * The earlier period's figure for a tile. "Active now" is compared with the visitors of the
 * period's last minute: the query API's `active_now` is always today's.
 */
export function baselineFigure(
  key: string,
  period: PeriodOverviews,
  currency: string | undefined,
): number | undefined {
  if (key === 'active_now') return numberOr(period.minute?.unique_visitors);
  return tileFigure(key, tileOverview(period.window), currency);
}
