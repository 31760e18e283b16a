import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { CircuitOpenError } from '../../../core/aggregation/circuit-breaker.ts';
import { DashboardTokenError } from '../../../core/auth/dashboard-token.ts';
import {
  AuthError,
  ConflictError,
  InputError,
  MisconfiguredError,
  NotFoundError,
  SpateError,
  ThrottledError,
  UnavailableError,
} from '../../../core/errors/spate-error.ts';
import { IngestError } from '../../../core/events/ingest-error.ts';
import { ChannelError } from '../../../core/push/channels.ts';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { answerOf, errorResponse } from '../../../lambdas/error-answers.ts';
import { refusal } from '../../../lambdas/ingest/responses.ts';
import { ParamError } from '../../../lambdas/query/params.ts';
import { functionTools, httpHandler } from '../../../lambdas/spate-handler.ts';

const bodyOf = (r: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(String(r.body)) as Record<string, unknown>;

describe('SpateError families', () => {
  it('carry the status, a code, and for input the field and the rule', () => {
    const input = new InputError('price: must be >= 0', { field: 'product.price', rule: 'minimum' });
    expect(input).toBeInstanceOf(SpateError);
    expect(input).toBeInstanceOf(Error);
    expect(input).toMatchObject({
      name: 'InputError',
      status: 400,
      code: 'invalid_input',
      field: 'product.price',
      rule: 'minimum',
    });
    expect(new InputError('too big', { status: 413, code: 'maxBodyBytes' })).toMatchObject({ status: 413 });
    expect(new AuthError('no key')).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(new AuthError('not yours', { status: 403 })).toMatchObject({ status: 403, code: 'forbidden' });
    expect(new NotFoundError('gone')).toMatchObject({ status: 404, code: 'not_found' });
    expect(new ConflictError('busy')).toMatchObject({ status: 409, code: 'conflict' });
    expect(new ThrottledError('slow down', { retryAfterS: 3 })).toMatchObject({
      status: 429,
      retryAfterS: 3,
    });
    expect(new UnavailableError('redis down')).toMatchObject({ status: 503, code: 'unavailable' });
    expect(new MisconfiguredError('X is required')).toMatchObject({ status: 500, code: 'misconfigured' });
  });

  it('keep the names and messages of the errors that extend them', () => {
    const param = new ParamError('from: must be an ISO 8601 time', 'from', 'format');
    expect(param).toBeInstanceOf(InputError);
    expect(param).toMatchObject({
      name: 'ParamError',
      message: 'from: must be an ISO 8601 time',
      field: 'from',
    });
    expect(new ChannelError('channels: "nope" is not a channel')).toMatchObject({
      name: 'ChannelError',
      status: 400,
    });
    expect(new DashboardTokenError('token.exp: expired')).toMatchObject({
      name: 'DashboardTokenError',
      status: 401,
    });
    expect(new IngestError(413, 'maxEventsPerRequest', 'too many events')).toMatchObject({
      name: 'IngestError',
      status: 413,
      code: 'maxEventsPerRequest',
    });
    expect(new ConfigError('SPATE_REDIS_URL is required')).toBeInstanceOf(MisconfiguredError);
    const open = new CircuitOpenError('s3/archive', 10_000, 4);
    expect(open).toBeInstanceOf(UnavailableError);
    expect(open).toMatchObject({ name: 'CircuitOpenError', sink: 's3/archive', retryAfterS: 4 });
  });
});

describe('answerOf and errorResponse', () => {
  it('answer a SpateError with its status, { error, message, field, rule } and Retry-After', () => {
    const input = errorResponse(answerOf(new ParamError('window: must be from 10 s', 'window', 'range')));
    expect(input.statusCode).toBe(400);
    expect(input.headers).toEqual({ 'content-type': 'application/json' });
    expect(bodyOf(input)).toEqual({
      error: 'invalid_parameter',
      message: 'window: must be from 10 s',
      field: 'window',
      rule: 'range',
    });

    const throttled = errorResponse(answerOf(new ThrottledError('too many events', { retryAfterS: 2 })));
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers?.['retry-after']).toBe('2');
    expect(bodyOf(throttled)).toEqual({ error: 'rate_limited', message: 'too many events' });
  });

  it('tells why a dependency is down (503), with its Retry-After', () => {
    const answer = errorResponse(answerOf(new CircuitOpenError('redis/tweets', 5000, 5)));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toBe('5');
    expect(bodyOf(answer)).toMatchObject({ error: 'circuit_open' });
  });

  it('answers anything else 500 without a word of what went wrong inside', () => {
    for (const err of [
      new Error('connect ECONNREFUSED 10.0.3.7:9000 user=reader password=hunter2'),
      new ConfigError('SPATE_CLICKHOUSE_SECRET_ARN=arn:aws:secretsmanager:... is unreadable'),
      'a string',
      undefined,
    ]) {
      const answer = errorResponse(answerOf(err));
      expect(answer.statusCode).toBe(500);
      expect(bodyOf(answer)).toEqual({ error: 'internal', message: 'internal error' });
      expect(answer.headers?.['retry-after']).toBeUndefined();
    }
    expect(answerOf(new Error('x'), 'query failed')).toEqual({
      status: 500,
      error: 'internal',
      message: 'query failed',
    });
  });

  it('writes the ingest API refusals as they were: { error, message } and Retry-After', () => {
    const answer = refusal(429, 'rate_limited', 'too many events for this write key', 1);
    expect(answer).toEqual({
      statusCode: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({ error: 'rate_limited', message: 'too many events for this write key' }),
    });
    expect(
      errorResponse(answerOf(new IngestError(429, 'rate_limited', 'too many events for this write key', 1))),
    ).toEqual(answer);
  });

  it('takes an API style: its headers and its body', () => {
    const answer = errorResponse(answerOf(new DashboardTokenError('token: signature does not match')), {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: ({ message, field, rule }) => JSON.stringify({ message, field, rule }),
    });
    expect(answer).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: '{"message":"token: signature does not match"}',
    });
  });
});

describe('the error middleware in an HTTP handler', () => {
  it('answers what the core threw, and logs only the faults it does not tell', async () => {
    const tools = functionTools('spate-test-errors');
    const logged = vi.spyOn(tools.logger, 'error').mockImplementation(() => undefined);
    const warned = vi.spyOn(tools.logger, 'warn').mockImplementation(() => undefined);
    let next: unknown;
    const handler = httpHandler(tools, async () => {
      throw next;
    });

    next = new InputError('metric: required', { field: 'metric', rule: 'required' });
    const refused = await handler({});
    expect(refused).toMatchObject({ statusCode: 400 });
    expect(logged).not.toHaveBeenCalled();

    next = new UnavailableError('the event stream is unavailable', { retryAfterS: 1 });
    expect(await handler({})).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    expect(warned).toHaveBeenCalledTimes(1);

    const fault = new TypeError("Cannot read properties of undefined (reading 'rows')");
    next = fault;
    const failed = (await handler({})) as APIGatewayProxyStructuredResultV2;
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('rows');
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]?.[1]).toEqual({ error: fault });
  });
});
