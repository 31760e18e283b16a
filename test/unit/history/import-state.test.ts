import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultStatePath,
  type ImportState,
  importFingerprint,
  readHead,
  readState,
  writeState,
} from '../../../bin/import/import-state.ts';
import { emptyTotals } from '../../../bin/import/import-tally.ts';

const dir = mkdtempSync(join(tmpdir(), 'spate-import-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the import state file', () => {
  const input = join(dir, 'orders.csv');
  writeFileSync(input, 'id,type\n1,signup\n');
  const fingerprint = importFingerprint(readHead(input), 'csv', ['event_id=id']);
  const state: ImportState = {
    version: 1,
    input,
    fingerprint,
    format: 'csv',
    position: { offset: 18, line: 2 },
    done: false,
    totals: { ...emptyTotals(), rows: 1, sent: 1, accepted: 1 },
    updatedAt: '2024-05-01T12:00:00.000Z',
  };

  it('lies beside the input', () => {
    expect(defaultStatePath(input)).toBe(`${input}.spate-import.json`);
  });

  it('is read back as written, and leaves no partial file', () => {
    const path = defaultStatePath(input);
    writeState(path, state);
    expect(readState(path, fingerprint)).toEqual({ state });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is not resumed for another file, format or mapping', () => {
    const path = defaultStatePath(input);
    writeState(path, state);
    const other = [
      importFingerprint(Buffer.from('id,type\n2,signup\n'), 'csv', ['event_id=id']),
      importFingerprint(readHead(input), 'ndjson', ['event_id=id']),
      importFingerprint(readHead(input), 'csv', []),
      importFingerprint(readHead(input), 'csv', ['event_id=id'], 'https://other.example/v1/import\0key'),
    ];
    for (const f of other)
      expect(readState(path, f)).toEqual({ none: expect.stringMatching(/another file/) });
    // The order of --map flags changes nothing.
    expect(importFingerprint(readHead(input), 'csv', ['a=b', 'c=d'])).toBe(
      importFingerprint(readHead(input), 'csv', ['c=d', 'a=b']),
    );
  });

  it('says why when there is none to resume', () => {
    expect(readState(join(dir, 'missing.json'), fingerprint)).toEqual({ none: 'no state file' });
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"version":1}');
    expect(readState(garbage, fingerprint)).toEqual({ none: `${garbage} is not an import state` });
    writeFileSync(garbage, 'not json');
    expect(readState(garbage, fingerprint)).toEqual({ none: `${garbage} is not JSON` });
  });
});
