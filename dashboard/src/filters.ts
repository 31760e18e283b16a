/**
 * The dashboard's filters: `?filter=<dimension>:<value>` in the page's URL, repeatable, as the
 * query API takes them (docs/query-api.md), so a filtered dashboard is a link to share. Pure:
 * the URL goes in and out as text; use-filters.ts keeps it in the browser's history.
 */
export interface DashboardFilter {
  readonly dimension: string;
  /** Matched exactly; '' keeps the events that lack the dimension. */
  readonly value: string;
}

const PARAM = 'filter';

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/**
 * Encoded as a query value, with the colon left readable (RFC 3986 allows it in a query), so the
 * link reads `?filter=source:google`.
 */
function encodePart(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':');
}

/**
 * The filters of a page's query string (`location.search`), in order, one per dimension (the
 * last wins: two values of one dimension, ANDed, would match nothing). A `filter` without a
 * colon is left out: the page shows what it can rather than failing on a hand-edited link.
 */
export function filtersFromSearch(search: string): DashboardFilter[] {
  const byDimension = new Map<string, DashboardFilter>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || decodePart(pair.slice(0, eq)) !== PARAM) continue;
    const text = decodePart(pair.slice(eq + 1));
    const colon = text.indexOf(':');
    if (colon <= 0) continue;
    const filter = { dimension: text.slice(0, colon), value: text.slice(colon + 1) };
    byDimension.delete(filter.dimension);
    byDimension.set(filter.dimension, filter);
  }
  return [...byDimension.values()];
}

/** The query string with these filters in place of its own; every other parameter kept as it was. */
export function searchWithFilters(search: string, filters: readonly DashboardFilter[]): string {
  const kept = search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '' && decodePart(pair.split('=')[0] ?? '') !== PARAM);
  const all = [...kept, filterQuery(filters)].filter((part) => part !== '');
  return all.length === 0 ? '' : `?${all.join('&')}`;
}

/** `filter=a:x&filter=b:y`, to append to a query API request or a page URL. */
export function filterQuery(filters: readonly DashboardFilter[]): string {
  return filters.map((f) => `${PARAM}=${encodePart(`${f.dimension}:${f.value}`)}`).join('&');
}

/** The filters with this one added; it replaces a filter on the same dimension. */
export function withFilter(filters: readonly DashboardFilter[], added: DashboardFilter): DashboardFilter[] {
  return [...filters.filter((f) => f.dimension !== added.dimension), added];
}

export function withoutFilter(
  filters: readonly DashboardFilter[],
  removed: DashboardFilter,
): DashboardFilter[] {
  return filters.filter((f) => f.dimension !== removed.dimension || f.value !== removed.value);
}

/** How a key reads on screen: the empty key is the events without the dimension. */
export function keyLabel(value: string): string {
  return value === '' ? '(none)' : value;
}

/** `source: google`, as a chip says it. */
export function filterLabel(filter: DashboardFilter): string {
  return `${filter.dimension}: ${keyLabel(filter.value)}`;
}
