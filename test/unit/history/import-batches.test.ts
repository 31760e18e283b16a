import { describe, expect, it } from 'vitest';
import { BatchBuilder, type ImportBatch } from '../../../bin/import/import-batches.ts';

const at = (line: number) => ({ offset: line * 10, line });
const json = (bytes: number) => `"${'x'.repeat(bytes - 2)}"`;
const body = (b: ImportBatch) => Buffer.byteLength(`{"batch":[${b.messages.join(',')}]}`);

describe('BatchBuilder', () => {
  it('seals a batch at the count limit, numbered in order, each ending after its last row', () => {
    const builder = new BatchBuilder({ maxCount: 2, maxBytes: 10_000 });
    const sealed = [1, 2, 3, 4, 5].flatMap((line) => builder.add(json(10), line, at(line)));
    sealed.push(...builder.flush(at(5)));
    expect(sealed.map((b) => [b.seq, b.lines, b.end.line])).toEqual([
      [0, [1, 2], 2],
      [1, [3, 4], 4],
      [2, [5], 5],
    ]);
    expect(sealed.map((b) => b.tally.rows)).toEqual([2, 2, 1]);
  });

  it('keeps every body within the byte limit, counting the envelope and commas', () => {
    const maxBytes = 1000;
    const builder = new BatchBuilder({ maxCount: 1000, maxBytes });
    const sizes = [300, 300, 300, 97, 500, 480, 17, 988];
    const sealed = sizes.flatMap((size, i) => builder.add(json(size), i + 1, at(i + 1)));
    sealed.push(...builder.flush(at(sizes.length)));
    for (const b of sealed) {
      expect(body(b)).toBeLessThanOrEqual(maxBytes);
      expect(b.bytes).toBe(body(b));
    }
    expect(sealed.flatMap((b) => b.lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(builder.fitsAlone(json(988))).toBe(true);
    expect(builder.fitsAlone(json(989))).toBe(false);
  });

  it('counts skipped rows in the batch that covers them, and moves its end over them', () => {
    const builder = new BatchBuilder({ maxCount: 2, maxBytes: 10_000 });
    const reason = { field: 'timestamp', rule: 'format', message: 'bad' };
    builder.add(json(10), 1, at(1));
    builder.skip(reason, 2, at(2));
    const [first] = builder.add(json(10), 3, at(3));
    expect(first?.lines).toEqual([1, 3]);
    expect(first?.tally).toMatchObject({
      rows: 3,
      skipped: 1,
      skips: [{ field: 'timestamp', rule: 'format', count: 1, samples: [{ line: 2, message: 'bad' }] }],
    });
    builder.skip(reason, 4, at(4));
    const [last] = builder.flush(at(4));
    expect(last).toMatchObject({ seq: 1, messages: [], end: { line: 4 }, tally: { rows: 1, skipped: 1 } });
  });

  it('seals a long run of skipped rows on its own, so the resume point moves on', () => {
    const builder = new BatchBuilder({ maxCount: 2, maxBytes: 10_000 });
    const reason = { field: '$', rule: 'json', message: 'not JSON' };
    const sealed = Array.from({ length: 9 }, (_, i) => builder.skip(reason, i + 1, at(i + 1))).flat();
    expect(sealed.map((b) => [b.messages.length, b.tally.rows, b.end.line])).toEqual([[0, 8, 8]]);
  });

  it('flushes a batch with nothing in it at the end, to mark the input done', () => {
    const [only] = new BatchBuilder({ maxCount: 5, maxBytes: 1000 }).flush(at(7));
    expect(only).toMatchObject({ seq: 0, messages: [], end: at(7), tally: { rows: 0 } });
  });
});
