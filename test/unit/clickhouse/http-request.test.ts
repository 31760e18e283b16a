import { describe, expect, it } from 'vitest';
import { ClickHouseException } from '../../../local/clickhouse/exception.ts';
import {
  composeStatement,
  parseQueryRequest,
  readCredentials,
} from '../../../local/clickhouse/http-request.ts';

const parse = (query: string, headers: Record<string, string> = {}) =>
  parseQueryRequest(new URLSearchParams(query), headers);

describe('HTTP interface request parsing', () => {
  it('separates interface parameters, settings and query parameters', () => {
    const request = parse(
      'query_id=q1&database=analytics&default_format=JSON&query=INSERT%20INTO%20t%20FORMAT%20JSONEachRow' +
        '&insert_deduplication_token=tok&wait_end_of_query=1&enable_http_compression=1&param_min=5&param_name=o%5C%27neil',
    );
    expect(request.queryId).toBe('q1');
    expect(request.database).toBe('analytics');
    expect(request.defaultFormat).toBe('JSON');
    expect(request.urlQuery).toBe('INSERT INTO t FORMAT JSONEachRow');
    expect(request.settings).toEqual({ insert_deduplication_token: 'tok' });
    expect(request.params).toEqual({ min: '5', name: "o\\'neil" });
    expect(request.compressResponse).toBe(true);
    expect(request.session).toBeUndefined();
  });

  it('reads sessions with their timeout and check flag', () => {
    expect(parse('session_id=abc&session_timeout=5&session_check=1').session).toEqual({
      id: 'abc',
      timeoutSeconds: 5,
      mustExist: true,
    });
    expect(parse('session_id=abc').session).toEqual({ id: 'abc', timeoutSeconds: 60, mustExist: false });
  });

  it('rejects a bad session timeout naming the parameter', () => {
    expect(() => parse('session_id=a&session_timeout=soon')).toThrow(
      /session_timeout must be a non-negative number/,
    );
    expect(() => parse('session_id=a&session_timeout=99999')).toThrow(ClickHouseException);
  });

  it('rejects a setting name the engine could never know', () => {
    expect(() => parse('max%20threads=1')).toThrow(/Unknown setting 'max threads'/);
  });

  it('reads credentials from basic auth, X-ClickHouse headers or the URL', () => {
    const basic = `Basic ${Buffer.from('alice:s3:cret').toString('base64')}`;
    expect(readCredentials(new URLSearchParams(), { authorization: basic })).toEqual({
      user: 'alice',
      password: 's3:cret',
    });
    expect(
      readCredentials(new URLSearchParams(), { 'x-clickhouse-user': 'bob', 'x-clickhouse-key': 'k' }),
    ).toEqual({ user: 'bob', password: 'k' });
    expect(readCredentials(new URLSearchParams('user=carol&password=p'), {})).toEqual({
      user: 'carol',
      password: 'p',
    });
    expect(readCredentials(new URLSearchParams(), {})).toEqual({ user: 'default', password: '' });
  });

  it('joins the URL query and the body with a newline', () => {
    expect(composeStatement('SELECT 1', '')).toBe('SELECT 1');
    expect(composeStatement('', 'SELECT 2')).toBe('SELECT 2');
    expect(composeStatement('SELECT', '3')).toBe('SELECT\n3');
  });
});
