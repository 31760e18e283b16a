import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../core/metrics/metric-names.ts';
import { type ErrorAnswerStyle, errorAnswers } from './error-answers.ts';
import { perContainer } from './per-container.ts';

/**
 * The one way a Spate function is built: its core (event in, result out, no Lambda plumbing)
 * inside middy with Powertools' Tracer, Logger and Metrics, and for the functions that answer
 * requests, the one error middleware (error-answers.ts).
 *
 * - httpHandler: HTTP API and WebSocket routes. Whatever the core throws becomes an answer: a
 *   SpateError its own, anything else a 500 that names nothing inside.
 * - eventHandler: MSK event-source mappings, the WebSocket authorizer, the topic custom resource.
 *   Errors propagate, so the mapping retries the batch (or the caller sees the failure).
 */

/**
 * Powertools' Tracer on Lambda only. Its X-Ray SDK installs a process-wide async hook as it loads,
 * a cost every promise in the process pays, and off Lambda Powertools traces nothing anyway: the
 * local mirror, the benchmarks and the tests never load it.
 */
const tracing = (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_')
  ? {
      ...(await import('@aws-lambda-powertools/tracer')),
      ...(await import('@aws-lambda-powertools/tracer/middleware')),
    }
  : undefined;

/** A function's Powertools, one instance each, shared by everything in the function. */
export interface FunctionTools {
  /** The `service` of its logs, metrics and traces. */
  readonly service: string;
  readonly logger: Logger;
  /** CloudWatch EMF, in the namespace of core/metrics/metric-names.ts. */
  readonly metrics: Metrics;
  /** X-Ray, on Lambda; undefined elsewhere. */
  readonly tracer: Tracer | undefined;
}

/**
 * Made once per function module: on Lambda that is once per container, and the local mirror
 * loads a module per container too, so no two invocations in flight share a metrics buffer.
 */
export function functionTools(service: string): FunctionTools {
  const logger = new Logger({ serviceName: service });
  // Metrics' own warnings go through the Logger, so POWERTOOLS_LOG_LEVEL governs them too.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service, logger });
  const tracer = tracing ? new tracing.Tracer({ serviceName: service }) : undefined;
  return { service, logger, metrics, tracer };
}

/** What a function does with one event. */
export type Core<E, R> = (event: E, context: Context) => Promise<R>;

export type HandlerKind = 'http' | 'event';

const KIND: unique symbol = Symbol.for('spate.handler');

/** A Lambda handler built here; context is optional for callers that have none (tests, the CLI). */
export type SpateHandler<E, R> = ((event: E, context?: Context) => Promise<R>) & {
  readonly [KIND]: HandlerKind;
};

/** How a handler was built, or undefined when not by this module. */
export function handlerKind(handler: unknown): HandlerKind | undefined {
  if (typeof handler !== 'function') return undefined;
  return (handler as { [KIND]?: HandlerKind })[KIND];
}

/**
 * Publishes what the invocation measured, as Powertools' logMetrics does, except that an
 * invocation with nothing to count (most queries and socket routes) is not a warning in the log.
 */
function publishMetrics(metrics: Metrics): MiddlewareObj {
  const publish = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { name: 'publishMetrics', after: publish, onError: publish };
}

function build<E, R>(
  kind: HandlerKind,
  tools: FunctionTools,
  core: Core<E, R>,
  errors: readonly MiddlewareObj[],
): SpateHandler<E, R> {
  const traced: MiddlewareObj[] =
    tracing && tools.tracer
      ? // Responses stay out of traces: query answers are large, and ingest ones name users.
        [tracing.captureLambdaHandler(tools.tracer, { captureResponse: false }) as MiddlewareObj]
      : [];
  const handler = middy<E, R>()
    .use(traced)
    .use(injectLambdaContext(tools.logger))
    .use(publishMetrics(tools.metrics))
    .use([...errors])
    .handler((event: E, context: Context) => core(event, context));
  return Object.defineProperty(handler, KIND, { value: kind }) as unknown as SpateHandler<E, R>;
}

export function httpHandler<E, R>(
  tools: FunctionTools,
  core: Core<E, R>,
  style: ErrorAnswerStyle = {},
): SpateHandler<E, R> {
  return build('http', tools, core, [errorAnswers(tools.logger, style)]);
}

export function eventHandler<E, R>(tools: FunctionTools, core: Core<E, R>): SpateHandler<E, R> {
  return build('event', tools, core, []);
}

/** A function made for a config: its handler, its core unwrapped, and what it holds open. */
export interface SpateFunction<E, R> {
  readonly handler: SpateHandler<E, R>;
  /** For an entry that makes the function on its first invocation and wraps the core once. */
  readonly core: Core<E, R>;
  /** Disconnects what it holds; for local processes and tests, never needed on Lambda. */
  close(): Promise<void>;
}

/**
 * A core made on the first invocation of a container (config read, secrets fetched, clients
 * made) and reused by later ones; a failed attempt is tried again on the next invocation.
 */
export function firstCallCore<E, R>(create: () => Promise<{ readonly core: Core<E, R> }>): Core<E, R> {
  const made = perContainer(create);
  return async (event, context) => (await made()).core(event, context);
}
