import type { SegmentType } from '../../core/segment/segment-message.ts';

/** What a path of the ingest API takes: Spate events, a Segment call, or tweets. */
export type IngestRoute =
  | { readonly kind: 'events' }
  | { readonly kind: 'segment'; readonly segmentType: SegmentType | 'batch' }
  | { readonly kind: 'tweets' };

const ROUTES: Readonly<Record<string, IngestRoute>> = {
  '/v1/events': { kind: 'events' },
  '/v1/tweets': { kind: 'tweets' },
  '/v1/batch': { kind: 'segment', segmentType: 'batch' },
  '/v1/import': { kind: 'segment', segmentType: 'batch' },
  '/v1/track': { kind: 'segment', segmentType: 'track' },
  '/v1/page': { kind: 'segment', segmentType: 'page' },
  '/v1/screen': { kind: 'segment', segmentType: 'screen' },
  '/v1/identify': { kind: 'segment', segmentType: 'identify' },
  '/v1/group': { kind: 'segment', segmentType: 'group' },
  '/v1/alias': { kind: 'segment', segmentType: 'alias' },
};

/** The routes the ingest function serves, as API Gateway route keys (the CDK stack and local gateway read these). */
export const INGEST_ROUTE_KEYS: readonly string[] = Object.keys(ROUTES).map((path) => `POST ${path}`);

export function ingestRoute(path: string): IngestRoute | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return ROUTES[trimmed];
}
