import { ClickHouseError, parseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import {
  ClickHouseException,
  fromEngineError,
  httpStatusFor,
  renderException,
} from '../../../local/clickhouse/exception.ts';

describe('ClickHouse exceptions', () => {
  it('reads code, name and message from an engine error', () => {
    const error = fromEngineError(
      "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE)",
    );
    expect(error.code).toBe(60);
    expect(error.errorName).toBe('UNKNOWN_TABLE');
    expect(error.message).toBe("Unknown table expression identifier 'nope' in scope SELECT * FROM nope.");
  });

  it('keeps multi-line engine messages whole', () => {
    const error = fromEngineError(
      'Code: 117. DB::Exception: Expected end of line: (at row 2)\n: \nRow 1:\nColumn 0 ... : While executing ParallelParsingBlockInputFormat. (INCORRECT_DATA)',
    );
    expect(error.code).toBe(117);
    expect(error.errorName).toBe('INCORRECT_DATA');
    expect(error.message).toContain('Row 1:');
  });

  it('wraps text that is not an engine error as STD_EXCEPTION', () => {
    const error = fromEngineError('worker crashed');
    expect(error.code).toBe(1001);
    expect(error.errorName).toBe('STD_EXCEPTION');
    expect(error.message).toBe('worker crashed');
  });

  it('renders a body that the official client parses back to the same code and type', () => {
    const body = renderException(
      new ClickHouseException(62, 'SYNTAX_ERROR', 'Syntax error: failed at position 1'),
      '26.7.2.1',
    );
    expect(body).toMatch(
      /^Code: 62\. DB::Exception: Syntax error: failed at position 1\. \(SYNTAX_ERROR\) \(version 26\.7\.2\.1 \(chDB\)\)\n$/,
    );
    const parsed = parseError(body);
    expect(parsed).toBeInstanceOf(ClickHouseError);
    expect((parsed as ClickHouseError).code).toBe('62');
    expect((parsed as ClickHouseError).type).toBe('SYNTAX_ERROR');
    expect(parsed.message).toBe('Syntax error: failed at position 1. ');
  });

  it('round-trips an engine error through render and parse', () => {
    const engine =
      'Code: 47. DB::Exception: Unknown expression identifier `x` in scope SELECT x. (UNKNOWN_IDENTIFIER)';
    const parsed = parseError(renderException(fromEngineError(engine), '26.7.2.1')) as ClickHouseError;
    expect(parsed.code).toBe('47');
    expect(parsed.type).toBe('UNKNOWN_IDENTIFIER');
  });

  it('maps error names to the statuses ClickHouse uses', () => {
    expect(httpStatusFor('SYNTAX_ERROR')).toBe(400);
    expect(httpStatusFor('UNKNOWN_TABLE')).toBe(404);
    expect(httpStatusFor('AUTHENTICATION_FAILED')).toBe(403);
    expect(httpStatusFor('REQUIRED_PASSWORD')).toBe(401);
    expect(httpStatusFor('TIMEOUT_EXCEEDED')).toBe(504);
    expect(httpStatusFor('MEMORY_LIMIT_EXCEEDED')).toBe(500);
  });
});
