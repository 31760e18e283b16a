import { describe, expect, it } from 'vitest';
import {
  INITIAL_STATE,
  planState,
  quoteIdentifier,
  quoteString,
} from '../../../local/clickhouse/connection-state.ts';

describe('connection state plan', () => {
  it('sends nothing when the connection already matches', () => {
    expect(planState(INITIAL_STATE, { database: 'default', settings: {} })).toEqual([]);
  });

  it('switches database, resets dropped settings and sets new ones', () => {
    const current = { database: 'default', settings: new Map([['max_threads', '2']]) };
    const steps = planState(current, {
      database: 'analytics',
      settings: { insert_deduplication_token: "a'b" },
    });
    expect(steps.map((step) => step.sql)).toEqual([
      'USE `analytics`',
      'SET max_threads = DEFAULT',
      "SET insert_deduplication_token = 'a\\'b'",
    ]);
    const last = steps.at(-1)!.after;
    expect(last.database).toBe('analytics');
    expect([...last.settings]).toEqual([['insert_deduplication_token', "a'b"]]);
  });

  it('skips settings that already have the wanted value', () => {
    const current = { database: 'default', settings: new Map([['max_threads', '2']]) };
    expect(planState(current, { settings: { max_threads: '2' } })).toEqual([]);
    expect(planState(current, { settings: { max_threads: '3' } }).map((step) => step.sql)).toEqual([
      "SET max_threads = '3'",
    ]);
  });

  it('keeps the current database when none is wanted (sessions)', () => {
    const current = { database: 'analytics', settings: new Map<string, string>() };
    expect(planState(current, { settings: {} })).toEqual([]);
  });

  it('quotes identifiers and strings so they cannot break out', () => {
    expect(quoteIdentifier('we`ird\\db')).toBe('`we\\`ird\\\\db`');
    expect(quoteString("x' OR 1 --\\")).toBe("'x\\' OR 1 --\\\\'");
  });
});
