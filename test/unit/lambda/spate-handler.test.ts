import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../core/errors/spate-error.ts';
import { METRICS_NAMESPACE } from '../../../core/metrics/metric-names.ts';
import {
  eventHandler,
  firstCallCore,
  functionTools,
  handlerKind,
  httpHandler,
} from '../../../lambdas/spate-handler.ts';

const context = {
  functionName: 'spate-test',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:spate-test',
  memoryLimitInMB: '512',
  functionVersion: '$LATEST',
} as Context;

describe('functionTools', () => {
  it('makes one Logger and one Metrics per function, in the namespace of metric-names.ts', () => {
    const tools = functionTools('spate-test');
    expect(tools.service).toBe('spate-test');
    tools.metrics.addMetric('EventsApplied', 'Count', 1);
    const emf = tools.metrics.serializeMetrics();
    tools.metrics.clearMetrics();
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(emf).toMatchObject({ service: 'spate-test' });
  });

  it('loads no Tracer off Lambda (its X-Ray SDK would hook every promise of the process)', () => {
    expect(functionTools('spate-test').tracer).toBeUndefined();
  });
});

describe('httpHandler', () => {
  it('runs the core with the event and the context, and marks the handler', async () => {
    const tools = functionTools('spate-test');
    const core = vi.fn(async (event: { n: number }) => ({ statusCode: 200, body: String(event.n) }));
    const handler = httpHandler(tools, core);
    expect(await handler({ n: 7 }, context)).toEqual({ statusCode: 200, body: '7' });
    expect(core).toHaveBeenCalledWith({ n: 7 }, expect.objectContaining({ awsRequestId: 'req-1' }));
    expect(handlerKind(handler)).toBe('http');
  });

  it('answers a thrown error instead of failing the invocation', async () => {
    const handler = httpHandler(functionTools('spate-test'), async () => {
      throw new InputError('from: must be before to', { field: 'from', rule: 'order' });
    });
    await expect(handler({}, context)).resolves.toMatchObject({ statusCode: 400 });
  });

  it('injects the Lambda context into the log lines', async () => {
    const tools = functionTools('spate-test');
    const injected = vi.spyOn(tools.logger, 'addContext');
    await httpHandler(tools, async () => ({ statusCode: 204 }))({}, context);
    expect(injected).toHaveBeenCalledWith(expect.objectContaining({ functionName: 'spate-test' }));
  });

  it('publishes what an invocation measured, and says nothing when it measured nothing', async () => {
    const tools = functionTools('spate-test');
    const published = vi.spyOn(tools.metrics, 'publishStoredMetrics');
    const warned = vi.spyOn(tools.logger, 'warn');
    const measuring = httpHandler(tools, async () => {
      tools.metrics.addMetric('EventsAccepted', 'Count', 2);
      return { statusCode: 200 };
    });
    await measuring({}, context);
    expect(published).toHaveBeenCalledTimes(1);
    expect(tools.metrics.hasStoredMetrics()).toBe(false);

    await httpHandler(tools, async () => ({ statusCode: 200 }))({}, context);
    expect(published).toHaveBeenCalledTimes(1);
    expect(warned).not.toHaveBeenCalled();
  });

  it('publishes the measurements of a failed invocation too', async () => {
    const tools = functionTools('spate-test');
    const published = vi.spyOn(tools.metrics, 'publishStoredMetrics');
    vi.spyOn(tools.logger, 'error').mockImplementation(() => undefined);
    await httpHandler(tools, async () => {
      tools.metrics.addMetric('EventsRejected', 'Count', 1);
      throw new Error('boom');
    })({}, context);
    expect(published).toHaveBeenCalledTimes(1);
  });
});

describe('eventHandler', () => {
  it('lets errors propagate, so the event source mapping retries the batch', async () => {
    const failure = new Error('clickhouse: insert timed out');
    const handler = eventHandler(functionTools('spate-test'), async () => {
      throw failure;
    });
    expect(handlerKind(handler)).toBe('event');
    await expect(handler({ records: {} }, context)).rejects.toBe(failure);
  });

  it('propagates a SpateError unanswered as well', async () => {
    const handler = eventHandler(functionTools('spate-test'), async () => {
      throw new InputError('Topics must be a list', { field: 'Topics', rule: 'type' });
    });
    await expect(handler({}, context)).rejects.toThrow('Topics must be a list');
  });

  it('works without a context, as tests and the replay CLI call it', async () => {
    const handler = eventHandler(functionTools('spate-test'), async (event: { n: number }) => event.n + 1);
    expect(await handler({ n: 1 })).toBe(2);
  });
});

describe('handlerKind', () => {
  it('is undefined for a function not built here', () => {
    expect(handlerKind(async () => ({ statusCode: 200 }))).toBeUndefined();
    expect(handlerKind(undefined)).toBeUndefined();
  });
});

describe('firstCallCore', () => {
  it('makes the core on the first invocation and reuses it', async () => {
    let made = 0;
    const core = firstCallCore(async () => {
      made += 1;
      return { core: async (event: number) => event * 2 };
    });
    expect(await Promise.all([core(1, context), core(2, context)])).toEqual([2, 4]);
    expect(made).toBe(1);
  });

  it('tries again after a failed attempt, and the HTTP answer to the failure says nothing inside', async () => {
    let attempts = 0;
    const tools = functionTools('spate-test');
    vi.spyOn(tools.logger, 'error').mockImplementation(() => undefined);
    const handler = httpHandler(
      tools,
      firstCallCore(async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('Secrets Manager: AccessDenied for arn:aws:secretsmanager:...');
        return { core: async () => ({ statusCode: 200 }) };
      }),
    );
    const failed = await handler({}, context);
    expect(failed).toMatchObject({ statusCode: 500 });
    expect(JSON.stringify(failed)).not.toContain('secretsmanager');
    expect(await handler({}, context)).toEqual({ statusCode: 200 });
  });
});
