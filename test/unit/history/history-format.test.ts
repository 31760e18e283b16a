import { describe, expect, it } from 'vitest';
import { columnMap } from '../../../core/history/column-map.ts';
import { fileShape, guessFormat, mapHistoryRecord } from '../../../core/history/history-format.ts';

describe('guessFormat', () => {
  it('tells the formats apart by their first row', () => {
    expect(guessFormat('id,type,user_id,timestamp\n1,signup,u1,2016-03-01')).toBe('csv');
    expect(guessFormat('\uFEFFuuid,event,distinct_id,timestamp,properties\n')).toBe('posthog');
    expect(guessFormat('"*.uuid";"*.event";"*.distinct_id"\n')).toBe('posthog');
    expect(guessFormat('{"type":"track","event":"E","userId":"u1","messageId":"m"}\n{}')).toBe('segment');
    expect(guessFormat('{"type":"page_view","user_id":"u1"}')).toBe('ndjson');
    expect(guessFormat('{"uuid":"x","event":"$pageview","distinct_id":"d"}')).toBe('posthog');
    expect(guessFormat('{"type":')).toBe('ndjson');
  });
});

describe('fileShape', () => {
  it('is NDJSON when the first thing is a JSON object, else CSV', () => {
    expect(fileShape('  \n{"a":1}')).toBe('ndjson');
    expect(fileShape('\uFEFF{"a":1}')).toBe('ndjson');
    expect(fileShape('uuid,event')).toBe('csv');
  });
});

describe('mapHistoryRecord', () => {
  it('refuses CSV records for the formats that are JSON lines', () => {
    const record = { shape: 'csv' as const, header: ['type'], values: ['track'] };
    expect(mapHistoryRecord('segment', record, columnMap([]))).toMatchObject({
      ok: false,
      reason: { field: '$', rule: 'format' },
    });
  });
});
