import { describe, expect, it } from 'vitest';
import { renderListing, renderReplay } from '../../../bin/dlq-report.ts';
import { DlqSummary } from '../../../lambdas/replay-dlq-summary.ts';

const letter = {
  reason: { index: 0, field: 'event_id', rule: 'format', message: 'event_id must match format "uuid"' },
  payload: { event_id: 'x', type: 'page_view' },
  project: 'shop',
  route: 'POST /v1/events',
  received_at: '2026-03-01T10:00:00.000Z',
};

describe('spate dlq output', () => {
  it('says so when nothing was rejected', () => {
    expect(renderListing({ summary: new DlqSummary(3) })).toMatch(/^events\.dlq is empty/);
  });

  it('lists each reason with its counts and samples', () => {
    const summary = new DlqSummary(3);
    summary.add({ partition: 0, offset: 7 }, letter, { pending: true, passNow: false });
    const text = renderListing({ summary });
    expect(text).toContain('events.dlq: 1 rejected, 1 not replayed yet, 0 of those pass validation now');
    expect(text).toContain('event_id format: 1 (1 not replayed, 0 pass now)');
    expect(text).toContain('@0:7 2026-03-01T10:00:00.000Z shop POST /v1/events: event_id must match');
    expect(text).toContain('{"event_id":"x","type":"page_view"}');
  });

  it('reports a replay: written, still refused, and where it stands', () => {
    const stillRefused = new DlqSummary(1);
    stillRefused.add({ partition: 0, offset: 7 }, letter, { pending: true, passNow: false });
    const text = renderReplay({
      read: 3,
      replayed: 2,
      written: 2,
      stillRefused,
      committed: new Map([[0, 8]]),
    });
    expect(text).toContain('replayed 2 of 3 rejected events (2 records written); 1 still refused');
    expect(text).toContain('replayed up to: partition 0 at 8');
    const none = renderReplay({
      read: 0,
      replayed: 0,
      written: 0,
      stillRefused: new DlqSummary(1),
      committed: new Map(),
    });
    expect(none).toContain('nothing to replay');
  });
});
