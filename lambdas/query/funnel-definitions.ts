import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { type FunnelCatalog, funnelFor } from '../../core/aggregation/funnel-definition.ts';
import {
  DEFAULT_FUNNEL_ID,
  FUNNEL_ID_PATTERN,
  funnelView,
  MAX_FUNNELS_PER_PROJECT,
  newFunnelId,
  type ProjectFunnel,
  parseFunnelInput,
  projectFunnel,
  revisionKey,
} from '../../core/aggregation/project-funnel.ts';
import { InputError, NotFoundError, SpateError, UnavailableError } from '../../core/errors/spate-error.ts';
import { funnelSnapshot } from '../../core/push/snapshots.ts';
import { beforeHotTier, type CachedAnswer, uncached } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import type { Filter } from '../../core/query/filter.ts';
import { WARM_SPAN_MS } from '../../core/query/metric-query.ts';
import { withinDeadline } from '../../core/query/within-deadline.ts';
import { readFunnelHistory } from '../../io/clickhouse/funnel-history.ts';
import { ProjectFunnelStore } from '../../io/clickhouse/project-funnel-store.ts';
import { lastSeconds, readProjectFunnelMinutes } from '../../io/redis/hot-read-model.ts';
import { seconds, timeRange } from './params.ts';
import { asksForFilters, requestFilters } from './request-filters.ts';

type Result = APIGatewayProxyStructuredResultV2;

export interface FunnelDefinitionDeps {
  readonly redis: Redis;
  readonly clickhouse: ClickHouseClient;
  readonly funnels: FunnelCatalog;
  readonly tierTimeoutMs: number;
  /** The query cache of whole warm and cold answers; without it every answer is read afresh. */
  readonly answers?: CachedAnswer;
}

const MAX_BODY_BYTES = 16_384;

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new InputError(`body: at most ${MAX_BODY_BYTES} bytes`, {
      status: 413,
      code: 'too_large',
      field: 'body',
      rule: 'maxBodyBytes',
    });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError('body: must be JSON: {"name": ..., "steps": [...]}', {
      code: 'invalid_funnel',
      field: 'body',
      rule: 'format',
    });
  }
}

const COLLECTION = '/v1/funnels';
const ONE = /^\/v1\/funnels\/([^/]+)$/;

/** A live funnel's `window`: the last 30 minutes by default, a minute to a day. */
export const liveWindowSeconds = (q: Record<string, string | undefined>) =>
  seconds(q, 'window', 1800, 60, 86_400);

/** The live `window` as a range up to now. */
function liveWindow(q: Record<string, string | undefined>, nowMs: number) {
  return { fromMs: nowMs - liveWindowSeconds(q) * 1000, toMs: nowMs };
}

/**
 * A project's funnels through the API: list and create on /v1/funnels, edit and delete on
 * /v1/funnels/{id}, and the answer of a funnel defined at run time: its live counts from the
 * hot tier over `window`, or, with `from`, visitors per step over history from the warm tier
 * (the deploy-time funnel's too; its live counts stay with routes.ts). Writes go to ClickHouse
 * (io/clickhouse/project-funnel-store.ts), which the funnels aggregator reads within its TTL.
 */
export function funnelDefinitionsRoute(deps: FunnelDefinitionDeps) {
  const store = new ProjectFunnelStore(deps.clickhouse);

  async function existing(project: string, id: string): Promise<ProjectFunnel> {
    if (id === DEFAULT_FUNNEL_ID)
      throw new InputError(
        'id: the default funnel is set at deploy time (SPATE_FUNNELS) and cannot change here',
        {
          code: 'invalid_funnel',
          field: 'id',
          rule: 'readOnly',
        },
      );
    const funnel = FUNNEL_ID_PATTERN.test(id) ? await store.get(project, id) : undefined;
    if (!funnel) throw new NotFoundError(`funnel: "${id}" is not defined`, { field: 'id' });
    return funnel;
  }

  async function list(project: string) {
    return {
      funnels: [
        {
          id: DEFAULT_FUNNEL_ID,
          name: 'Default',
          read_only: true,
          steps: funnelFor(deps.funnels, project).steps.map((s) => ({ type: s.type, label: s.label })),
        },
        ...(await store.list(project)).map(funnelView),
      ],
    };
  }

  async function create(project: string, event: APIGatewayProxyEventV2, nowMs: number) {
    const input = parseFunnelInput(bodyOf(event));
    if ((await store.list(project)).length >= MAX_FUNNELS_PER_PROJECT)
      throw new InputError(`funnels: a project keeps at most ${MAX_FUNNELS_PER_PROJECT}; delete one first`, {
        code: 'invalid_funnel',
        field: 'funnels',
        rule: 'maxItems',
      });
    const funnel = projectFunnel(project, newFunnelId(randomUUID()), input, nowMs, nowMs);
    await store.save(funnel);
    return funnel;
  }

  async function edit(project: string, id: string, event: APIGatewayProxyEventV2, nowMs: number) {
    const input = parseFunnelInput(bodyOf(event));
    const before = await existing(project, id);
    // Revisions only grow, even when the clock steps back: the latest save is the highest.
    const funnel = projectFunnel(
      project,
      id,
      input,
      before.createdMs,
      Math.max(nowMs, before.revisionMs + 1),
    );
    await store.save(funnel);
    return funnel;
  }

  /** Live: each step's attempts counted by the funnels aggregator in the last `window`. */
  async function live(funnel: ProjectFunnel, q: Record<string, string | undefined>, nowMs: number) {
    const window = liveWindowSeconds(q);
    const minutes = await readProjectFunnelMinutes(
      deps.redis,
      funnel.project,
      revisionKey(funnel),
      lastSeconds(nowMs, window),
    );
    return { ...funnelSnapshot(funnel.definition, window, minutes), tiers: ['hot'] };
  }

  /**
   * Visitors per step over a range the warm tier keeps, from its event rows. Over a range before
   * the hot tier's day it is kept a few seconds (core/query/answer-cache.ts), keyed by the
   * funnel's steps as they are now, so an edited funnel is read afresh.
   */
  function stepVisitors(
    funnel: ProjectFunnel,
    range: { fromMs: number; toMs: number },
    filters: readonly Filter[],
    nowMs: number,
  ) {
    const question = { project: funnel.project, definition: funnel.definition, ...range, filters };
    const key = beforeHotTier(range, nowMs) ? answerKey('funnel-history', ['warm'], question) : undefined;
    const read = () => readFunnelHistory(deps.clickhouse, funnel.project, funnel.definition, range, filters);
    return (deps.answers ?? uncached)(key, read);
  }

  /**
   * History: visitors per step from the warm tier's event rows, over the part of the range it
   * keeps (30 days), said in `from`. Counted for the funnel's current steps whenever it was made.
   */
  async function history(
    funnel: ProjectFunnel,
    range: { readonly fromMs: number; readonly toMs: number },
    filters: readonly Filter[],
    nowMs: number,
  ) {
    const fromMs = Math.max(range.fromMs, nowMs - WARM_SPAN_MS);
    // A range wholly past the warm tier's 30 days has no answer here: no tier, every step 0.
    const inWarm = fromMs < range.toMs;
    const reached = inWarm
      ? await stepVisitors(funnel, { fromMs, toMs: range.toMs }, filters, nowMs)
      : funnel.definition.steps.map(() => 0);
    return {
      from: new Date(Math.min(fromMs, range.toMs)).toISOString(),
      to: new Date(range.toMs).toISOString(),
      counts: 'visitors',
      steps: funnel.definition.steps.map((step, i) => {
        const prev = i === 0 ? undefined : reached[i - 1]!;
        const users = reached[i]!;
        return {
          label: step.label,
          users,
          conversion: prev === undefined ? 1 : prev === 0 ? 0 : Math.round((users / prev) * 1000) / 1000,
        };
      }),
      tiers: inWarm ? ['warm'] : [],
    };
  }

  async function answer(project: string, id: string, event: APIGatewayProxyEventV2, nowMs: number) {
    const q = event.queryStringParameters ?? {};
    // The deploy-time funnel is answered here over history only (its live counts are routes.ts's).
    const funnel =
      id === DEFAULT_FUNNEL_ID
        ? projectFunnel(project, id, { name: 'Default', steps: funnelFor(deps.funnels, project).steps }, 0, 0)
        : await existing(project, id);
    // Filters apply over history, read from event rows; the live counts keep no dimension, so a
    // filtered funnel of the live window is the history of that window: visitors per step from
    // the warm tier, which the answer says.
    const filters = requestFilters(event);
    const numbers =
      q.from !== undefined
        ? await history(funnel, timeRange(q, nowMs, 7 * 86_400_000), filters, nowMs)
        : filters.length > 0
          ? await history(funnel, liveWindow(q, nowMs), filters, nowMs)
          : await live(funnel, q, nowMs);
    return { id: funnel.id, name: funnel.name, ...numbers };
  }

  /**
   * Whether this route answers the request: every method on the collection and on one funnel,
   * but the default funnel's live GET (one without `from` or a filter).
   */
  function handles(event: APIGatewayProxyEventV2): boolean {
    const path = event.rawPath.replace(/\/+$/, '');
    if (path === COLLECTION) return true;
    const match = ONE.exec(path);
    if (match === null) return false;
    const liveDefault =
      event.requestContext.http.method === 'GET' &&
      match[1] === DEFAULT_FUNNEL_ID &&
      event.queryStringParameters?.from === undefined &&
      !asksForFilters(event);
    return !liveDefault;
  }

  async function answerRequest(
    project: string,
    event: APIGatewayProxyEventV2,
    nowMs: number,
  ): Promise<Result> {
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/\/+$/, '');
    const id = ONE.exec(path)?.[1];
    if (id === undefined) {
      if (method === 'GET') return json(200, await list(project));
      if (method === 'POST') return json(201, funnelView(await create(project, event, nowMs)));
      return json(405, { message: `${COLLECTION} answers GET and POST` });
    }
    if (method === 'GET') return json(200, await answer(project, id, event, nowMs));
    if (method === 'PUT') return json(200, funnelView(await edit(project, id, event, nowMs)));
    if (method === 'DELETE') {
      const before = await existing(project, id);
      await store.remove(before, Math.max(nowMs, before.revisionMs + 1));
      return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    }
    return json(405, { message: `${COLLECTION}/{id} answers GET, PUT and DELETE` });
  }

  /**
   * A store that fails or is slow is answered 503 within a bound, as a tier is elsewhere: a
   * save or a read of history may take a few round trips, so it gets two tier timeouts.
   */
  async function route(project: string, event: APIGatewayProxyEventV2, nowMs: number): Promise<Result> {
    try {
      return await withinDeadline(answerRequest(project, event, nowMs), 2 * deps.tierTimeoutMs, 'funnels');
    } catch (err) {
      if (err instanceof SpateError) throw err;
      throw new UnavailableError('funnels: the store (clickhouse) or the hot tier (redis) is not answering', {
        cause: err,
      });
    }
  }

  return { handles, route };
}
