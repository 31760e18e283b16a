/**
 * The HTTP API's routes and the function behind each, defined once: the CDK stack makes API
 * Gateway routes from this list and the local gateway serves the same ones.
 */
export interface ApiRoute {
  /** As API Gateway spells a route key: `METHOD /path`. */
  readonly routeKey: string;
  /** The function's name, also its folder under lambdas/. */
  readonly functionName: string;
}

const ingest = (path: string): ApiRoute => ({ routeKey: `POST ${path}`, functionName: 'ingest' });

export const API_ROUTES: readonly ApiRoute[] = [
  ingest('/v1/events'),
  ingest('/v1/tweets'),
  // Segment's HTTP Tracking API, so Segment's own clients can point at Spate unchanged.
  ...['batch', 'track', 'page', 'screen', 'identify', 'group', 'alias'].map((call) => ingest(`/v1/${call}`)),
];
