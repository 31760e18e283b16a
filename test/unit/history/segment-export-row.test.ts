import { describe, expect, it } from 'vitest';
import { mapSegmentExportRow } from '../../../core/history/segment-export-row.ts';
import { messageOf, stored } from './stored-events.ts';

const ID = '0f8c2f57-7b3e-4f1a-9d2b-6a4c8e1f3b5d';

describe('a Segment export message', () => {
  it('keeps what the tracking API reads and drops what Segment added on its side', () => {
    const message = messageOf(
      mapSegmentExportRow({
        type: 'track',
        event: 'Order Completed',
        messageId: ID,
        userId: 'u1',
        anonymousId: 'a1',
        timestamp: '2015-06-01T08:00:00.000Z',
        receivedAt: '2015-06-01T08:00:01.000Z',
        sentAt: '2015-06-01T08:00:00.500Z',
        properties: { order_id: 'o1', revenue: 42, currency: 'EUR' },
        context: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0', page: { path: '/checkout' } },
        integrations: { All: true },
        _metadata: { bundled: [] },
        writeKey: 'theirs',
        projectId: 'p',
      }),
    );
    expect(Object.keys(message).sort()).toEqual(
      ['anonymousId', 'context', 'event', 'messageId', 'properties', 'timestamp', 'type', 'userId'].sort(),
    );
    const [event] = stored([message]).events;
    expect(event).toMatchObject({
      event_id: ID,
      type: 'purchase',
      user_id: 'u1',
      anonymous_id: 'a1',
      timestamp: '2015-06-01T08:00:00.000Z',
      order: { id: 'o1', revenue: 42, currency: 'EUR' },
      page: { path: '/checkout' },
    });
  });

  it('maps each call type; identify keeps its traits', () => {
    const base = { anonymousId: 'a1', timestamp: '2015-06-01T08:00:00Z' };
    const rows = [
      { ...base, type: 'page', name: 'Home', properties: { path: '/' } },
      { ...base, type: 'screen', name: 'Cart' },
      { ...base, type: 'identify', userId: 'u1', traits: { plan: 'pro' } },
      { ...base, type: 'group', groupId: 'g1', traits: { seats: 5 } },
      { ...base, type: 'alias', userId: 'u1', previousId: 'a1' },
      { ...base, type: 'track', event: 'Video Played' },
    ];
    const { events, rejections } = stored(rows.map((r) => messageOf(mapSegmentExportRow(r))));
    expect(rejections).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      'page_view',
      'x_screen',
      'x_identify',
      'x_group',
      'x_alias',
      'x_video_played',
    ]);
    expect(events[2]).toMatchObject({ traits: { plan: 'pro' } });
  });

  it('takes originalTimestamp, then receivedAt, when there is no timestamp', () => {
    const row = { type: 'track', event: 'E', userId: 'u1', messageId: 'm1' };
    expect(
      messageOf(mapSegmentExportRow({ ...row, originalTimestamp: '2015-06-01T08:00:00Z' })).timestamp,
    ).toBe('2015-06-01T08:00:00.000Z');
    expect(messageOf(mapSegmentExportRow({ ...row, receivedAt: '2015-06-02T08:00:00Z' })).timestamp).toBe(
      '2015-06-02T08:00:00.000Z',
    );
  });

  it('derives a stable id for a message without one', () => {
    const row = { type: 'track', event: 'E', userId: 'u1', timestamp: '2015-06-01T08:00:00Z' };
    const a = messageOf(mapSegmentExportRow(row));
    expect(a.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(messageOf(mapSegmentExportRow({ ...row })).messageId).toBe(a.messageId);
  });

  it('names the field and rule of a message it cannot map', () => {
    const base = { type: 'track', event: 'E', userId: 'u1', timestamp: '2015-06-01T08:00:00Z' };
    const reason = (row: Record<string, unknown>) => {
      const m = mapSegmentExportRow(row);
      return m.ok ? undefined : [m.reason.field, m.reason.rule];
    };
    expect(reason({ ...base, type: undefined })).toEqual(['type', 'required']);
    expect(reason({ ...base, type: 'trak' })).toEqual(['type', 'enum']);
    expect(reason({ ...base, event: undefined })).toEqual(['event', 'required']);
    expect(reason({ ...base, userId: undefined })).toEqual(['userId', 'required']);
    expect(reason({ ...base, timestamp: undefined })).toEqual(['timestamp', 'required']);
    expect(reason({ ...base, timestamp: 'soon' })).toEqual(['timestamp', 'format']);
  });
});
