import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authenticate, writeKeyFromHeaders } from '../../core/auth/write-keys.ts';
import type { RequestFacts } from '../../core/enrichment/enrich-event.ts';
import type { GeoLookup } from '../../core/enrichment/geo.ts';
import { AuthError, SpateError, ThrottledError } from '../../core/errors/spate-error.ts';
import type { IngestPlan, OutgoingRecord } from '../../core/events/ingest-batch.ts';
import type { CircuitBreaker } from '../../core/limits/circuit-breaker.ts';
import type { IngestLimits } from '../../core/limits/ingest-limits.ts';
import type { OriginPolicy } from '../../core/limits/origin-policy.ts';
import { parseRequestBody } from '../../core/limits/request-body.ts';
import type { RateLimiter } from '../../core/limits/token-bucket.ts';
import { writeKeyFromBody } from '../../core/segment/body-write-key.ts';
import type { WriteKeySource } from '../../io/config/write-key-source.ts';
import { preflight, withCors } from './cors.ts';
import { planRequest } from './ingest-plan.ts';
import { ingestResult, refusal, refusalOf } from './responses.ts';
import { type IngestRoute, ingestRoute } from './routes.ts';

/** Where the records go: resolves once Kafka has acknowledged all of them, else throws. */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<void>;
}

/** What happened, for metrics and logs; the handler turns it into Powertools calls. */
export interface IngestOutcome {
  readonly status: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly refusal?: string;
  readonly kafkaError?: unknown;
}

export interface IngestServiceDeps {
  /** The keys as they are now: they change without a redeploy. */
  readonly writeKeys: WriteKeySource;
  /** Which web pages may post for which project. */
  readonly origins: OriginPolicy;
  readonly limits: IngestLimits;
  /** Per write key, in events; shared by every container when a hot store is configured. */
  readonly limiter: RateLimiter;
  /**
   * History's own pace per write key (`/v1/import`), in events, taken before the key's limit:
   * imports share the live events' partitions, and one paced under the pipeline's headroom never
   * queues live events behind it. @default no pace of its own
   */
  readonly historyLimiter?: RateLimiter;
  readonly breaker: CircuitBreaker;
  readonly sink: RecordSink;
  readonly now: () => number;
  readonly geo?: GeoLookup | undefined;
  readonly observe?: (outcome: IngestOutcome) => void;
}

/**
 * One ingest request, from the API Gateway event to the answer: CORS, auth, body rules, rate
 * limit, per-event validation and enrichment, then one acknowledged write to Kafka. Only a write
 * that Kafka acknowledged is reported as accepted.
 */
export function createIngestService(deps: IngestServiceDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const origin = event.headers?.origin;
    const answer = await answerRequest(deps, event, origin);
    return withCors(answer.response, deps.origins, origin, answer.project);
  };
}

interface Answer {
  readonly response: APIGatewayProxyStructuredResultV2;
  /** The project the write key named, once known: its own origins decide the CORS headers. */
  readonly project?: string;
}

async function answerRequest(
  deps: IngestServiceDeps,
  event: APIGatewayProxyEventV2,
  origin: string | undefined,
): Promise<Answer> {
  const method = event.requestContext?.http?.method?.toUpperCase();
  const route = ingestRoute(event.rawPath ?? event.requestContext?.http?.path ?? '');
  if (route && method === 'OPTIONS') {
    const response = preflight(deps.origins, origin);
    const status = response.statusCode ?? 204;
    const outcome = { status, accepted: 0, rejected: 0 };
    const refused = status === 204 ? outcome : { ...outcome, refusal: 'origin_not_allowed' };
    return { response: report(deps, response, refused) };
  }
  if (!route || method !== 'POST') {
    const message = `no ingest route for ${event.requestContext?.http?.method} ${event.rawPath}`;
    return {
      response: report(deps, refusal(404, 'not_found', message), {
        status: 404,
        accepted: 0,
        rejected: 0,
        refusal: 'not_found',
      }),
    };
  }
  // analytics.js reports on itself to /v1/m; nothing in it is about the shop's users.
  if (route.kind === 'client-metrics') {
    return { response: report(deps, { statusCode: 204 }, { status: 204, accepted: 0, rejected: 0 }) };
  }
  const headers = event.headers ?? {};
  let project: string | undefined;
  let plan: IngestPlan;
  try {
    // sendBeacon cannot set headers, so browsers unloading a page pass the key in the query.
    const headerKey = writeKeyFromHeaders(headers) ?? event.queryStringParameters?.write_key;
    let identity = headerKey ? authenticate(headerKey, await deps.writeKeys()) : undefined;
    const body = parseRequestBody(
      {
        body: event.body,
        isBase64Encoded: event.isBase64Encoded ?? false,
        contentType: headers['content-type'],
        contentEncoding: headers['content-encoding'],
      },
      deps.limits,
    );
    const bodyKey = route.kind === 'segment' ? writeKeyFromBody(body) : undefined;
    identity ??= authenticate(bodyKey, await deps.writeKeys());
    project = identity.project;
    if (origin !== undefined && !deps.origins.allows(identity.project, origin)) {
      throw new AuthError(
        `origin ${origin} may not post events for project ${identity.project}: list it in SPATE_CORS_ORIGINS`,
        { status: 403, code: 'origin_not_allowed' },
      );
    }
    const nowMs = deps.now();
    // Priced by events, checked before the costly per-event work.
    const cost = itemCount(body, route);
    if (route.kind === 'segment' && route.timeRule === 'import' && deps.historyLimiter) {
      const paced = await deps.historyLimiter.take(historyBucket(identity.keyId), cost, nowMs);
      if (!paced.allowed)
        throw new ThrottledError(
          'history is imported at most SPATE_IMPORT_RATE_PER_S events/s per write key',
          {
            retryAfterS: paced.retryAfterS,
          },
        );
    }
    const decision = await deps.limiter.take(identity.keyId, cost, nowMs);
    if (!decision.allowed) {
      throw new ThrottledError('too many events for this write key', { retryAfterS: decision.retryAfterS });
    }
    const facts: RequestFacts = {
      receivedAtMs: event.requestContext?.timeEpoch ?? nowMs,
      sourceIp: event.requestContext?.http?.sourceIp,
      userAgent: headers['user-agent'],
      project: identity.project,
      source: route.kind === 'segment' ? 'segment' : 'spate',
      geo: deps.geo,
    };
    plan = planRequest(route, body, facts, deps.limits, event.routeKey ?? `POST ${event.rawPath}`);
  } catch (err) {
    // A refusal is answered here rather than by the function's error middleware: it carries the
    // CORS headers of the project the key named, and is counted by its reason.
    if (!(err instanceof SpateError) || !err.exposed) throw err;
    return {
      project,
      response: report(deps, refusalOf(err), {
        status: err.status,
        accepted: 0,
        rejected: 0,
        refusal: err.code,
      }),
    };
  }
  return { project, response: await write(deps, plan, route.kind === 'segment') };
}

async function write(deps: IngestServiceDeps, plan: IngestPlan, segment: boolean) {
  const nowMs = deps.now();
  if (!deps.breaker.allow(nowMs)) {
    const retryAfterS = deps.breaker.retryAfterS(nowMs);
    return report(
      deps,
      refusal(503, 'kafka_unavailable', 'the event stream is unavailable; nothing was accepted', retryAfterS),
      {
        status: 503,
        accepted: 0,
        rejected: 0,
        refusal: 'circuit_open',
      },
    );
  }
  try {
    await deps.sink.send(plan.records);
    deps.breaker.recordSuccess();
  } catch (err) {
    deps.breaker.recordFailure(deps.now());
    return report(
      deps,
      refusal(503, 'kafka_unavailable', 'the event stream did not acknowledge; nothing was accepted', 1),
      {
        status: 503,
        accepted: 0,
        rejected: 0,
        refusal: 'kafka_error',
        kafkaError: err,
      },
    );
  }
  const response = ingestResult(plan.accepted, plan.rejections, segment, plan.clamped);
  return report(deps, response, {
    status: response.statusCode ?? 200,
    accepted: plan.accepted,
    rejected: plan.rejections.length,
  });
}

function itemCount(body: unknown, route: IngestRoute): number {
  if (Array.isArray(body)) return Math.max(1, body.length);
  if (route.kind === 'segment' && route.segmentType === 'batch') {
    const batch = (body as { batch?: unknown } | null)?.batch;
    return Array.isArray(batch) ? Math.max(1, batch.length) : 1;
  }
  return 1;
}

function report(
  deps: IngestServiceDeps,
  response: APIGatewayProxyStructuredResultV2,
  outcome: IngestOutcome,
): APIGatewayProxyStructuredResultV2 {
  deps.observe?.(outcome);
  return response;
}

/** History's bucket of a key, apart from its own: the two share the hot store's key space. */
export const historyBucket = (keyId: string): string => `history/${keyId}`;
