import { describe, expect, it } from 'vitest';
import { SpateClient } from '../../../sdk/client.ts';
import { namedRejections } from '../../../sdk/rejections.ts';
import type { DeliveryFailure, SdkEvent, SendResult } from '../../../sdk/types.ts';

let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
const event = (id: string): SdkEvent => ({
  event_id: id,
  type: 'click',
  timestamp: '2024-05-01T12:00:00.000Z',
});

describe('namedRejections', () => {
  it('names each rejected event of a batch with the field, rule and message the server gave', () => {
    const batch = [event('a'), event('b'), event('c')];
    const body = {
      errors: [{ index: 1, field: 'type', rule: 'pattern', message: 'must match' }, { index: 9 }],
    };
    expect(namedRejections(batch, 207, body)).toEqual([
      { events: [batch[1]], status: 207, reason: 'type pattern: must match' },
    ]);
    expect(namedRejections(batch, 400, { error: 'json' })).toEqual([]);
    expect(namedRejections(batch, 400, undefined)).toEqual([]);
  });
});

describe('SpateClient with per-event verdicts', () => {
  async function send(answer: SendResult) {
    const failures: DeliveryFailure[] = [];
    const batches: SdkEvent[][] = [];
    const client = new SpateClient({
      transport: async (events) => {
        batches.push([...events]);
        return answer;
      },
      newId,
      onFailure: (f) => failures.push(f),
    });
    const sent = [client.track('click'), client.track('click'), client.track('click')];
    await client.flush();
    return { failures, batches, sent, client };
  }

  it('on 207 reports only the events the server named, and sends nothing again', async () => {
    const { failures, batches, sent, client } = await send({
      status: 207,
      body: { accepted: 2, rejected: 1, errors: [{ index: 2, field: 'user_id', rule: 'required' }] },
    });
    expect(failures).toEqual([expect.objectContaining({ status: 207, reason: 'user_id required' })]);
    expect(failures[0]!.events.map((e) => e.event_id)).toEqual([sent[2]]);
    expect(batches).toHaveLength(1);
    expect(client.queued).toBe(0);
  });

  it('on 400 naming every event reports each with its own reason', async () => {
    const errors = [0, 1, 2].map((index) => ({ index, field: 'type', rule: 'pattern' }));
    const { failures } = await send({ status: 400, body: { accepted: 0, rejected: 3, errors } });
    expect(failures).toHaveLength(3);
    expect(failures.every((f) => f.events.length === 1 && f.reason === 'type pattern')).toBe(true);
  });
});
