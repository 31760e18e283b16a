import type { TimeRule } from '../../core/events/ingest-batch.ts';
import type { SegmentType } from '../../core/segment/segment-message.ts';

/**
 * What a path of the ingest API takes: Spate events, a Segment call, tweets, or analytics.js's
 * own metrics (accepted and dropped: they describe the library, not the shop's users).
 */
export type IngestRoute =
  | { readonly kind: 'events' }
  | {
      readonly kind: 'segment';
      readonly segmentType: SegmentType | 'batch';
      /** History (`/v1/import`): past timestamps kept as sent, not judged as live ones. */
      readonly timeRule?: TimeRule;
    }
  | { readonly kind: 'tweets' }
  | { readonly kind: 'client-metrics' };

const batch: IngestRoute = { kind: 'segment', segmentType: 'batch' };
const segment = (segmentType: SegmentType): IngestRoute => ({ kind: 'segment', segmentType });

const ROUTES: Readonly<Record<string, IngestRoute>> = {
  '/v1/events': { kind: 'events' },
  '/v1/tweets': { kind: 'tweets' },
  // Segment's server libraries.
  '/v1/batch': batch,
  '/v1/import': { kind: 'segment', segmentType: 'batch', timeRule: 'import' },
  '/v1/track': segment('track'),
  '/v1/page': segment('page'),
  '/v1/screen': segment('screen'),
  '/v1/identify': segment('identify'),
  '/v1/group': segment('group'),
  '/v1/alias': segment('alias'),
  // Segment's browser (analytics.js) and mobile libraries use one-letter paths.
  '/v1/b': batch,
  '/v1/t': segment('track'),
  '/v1/p': segment('page'),
  '/v1/s': segment('screen'),
  '/v1/i': segment('identify'),
  '/v1/g': segment('group'),
  '/v1/a': segment('alias'),
  '/v1/m': { kind: 'client-metrics' },
};

/**
 * The routes the ingest function serves, as API Gateway route keys (the CDK stack and local
 * gateway read these). Preflights reach the function too: it answers CORS per project, which an
 * API-wide CORS setting of the gateway could not.
 */
export const INGEST_ROUTE_KEYS: readonly string[] = Object.keys(ROUTES).flatMap((path) => [
  `POST ${path}`,
  `OPTIONS ${path}`,
]);

export function ingestRoute(path: string): IngestRoute | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return ROUTES[trimmed];
}
