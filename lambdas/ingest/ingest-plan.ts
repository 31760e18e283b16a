import type { RequestFacts } from '../../core/enrichment/enrich-event.ts';
import { type IngestPlan, planEvents, planSegment, planTweets } from '../../core/events/ingest-batch.ts';
import type { IngestLimits } from '../../core/limits/ingest-limits.ts';
import type { IngestRoute } from './routes.ts';

/** A route that carries events: every route but analytics.js's own metrics. */
export type EventRoute = Exclude<IngestRoute, { kind: 'client-metrics' }>;

/**
 * The records and verdicts for one parsed body on one route: per-event validation and
 * enrichment. Live ingest and the DLQ replay (lambdas/replay-dlq.ts) both go through here, so
 * a replayed event is judged exactly as a live one would be today.
 */
export function planRequest(
  route: EventRoute,
  body: unknown,
  facts: RequestFacts,
  limits: IngestLimits,
  routeKey: string,
): IngestPlan {
  switch (route.kind) {
    case 'events':
      return planEvents(body, facts, limits, routeKey);
    case 'tweets':
      return planTweets(body, facts, limits, routeKey);
    case 'segment':
      return planSegment(body, route.segmentType, facts, limits, routeKey, route.timeRule);
  }
}
