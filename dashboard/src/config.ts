/** What the page is told by its URL: the dashboard token, and optionally where the API lives. */
export interface DashboardConfig {
  readonly token: string;
  readonly apiBase: string;
  /** From `?ws=`; otherwise the query API names it in the first snapshot. */
  readonly wsUrl: string | undefined;
}

export function readDashboardConfig(location: Location): DashboardConfig {
  const params = new URLSearchParams(location.search);
  return {
    token: params.get('token') ?? '',
    apiBase: params.get('api') ?? location.origin,
    wsUrl: params.get('ws') ?? undefined,
  };
}
