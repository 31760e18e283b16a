/**
 * ClickHouse's error contract over HTTP: a `Code: N. DB::Exception: ... (NAME)` body, the
 * `X-ClickHouse-Exception-Code` header, and a status chosen from the error's name. Clients
 * (`@clickhouse/client` among them) parse exactly this text, so it is reproduced verbatim.
 */
export class ClickHouseException extends Error {
  constructor(
    readonly code: number,
    readonly errorName: string,
    message: string,
    /** Overrides the status derived from the name (e.g. 413 for an oversized body). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClickHouseException';
  }
}

const ENGINE_MESSAGE = /^Code: (\d+)\. DB::Exception: [\s\S]*\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)\s*$/;

/** Turns whatever the engine threw into a ClickHouseException, keeping its code and name. */
export function fromEngineError(message: string): ClickHouseException {
  const trimmed = message.trim();
  const match = ENGINE_MESSAGE.exec(trimmed);
  if (match) {
    const body = trimmed.replace(/^Code: \d+\. DB::Exception: /, '').replace(/\s*\([A-Z0-9_]+\)$/, '');
    return new ClickHouseException(Number(match[1]), match[2]!, body);
  }
  const coded = /^Code: (\d+)\. (?:DB::Exception: )?([\s\S]*)$/.exec(trimmed);
  if (coded) return new ClickHouseException(Number(coded[1]), 'UNKNOWN_EXCEPTION', coded[2]!);
  return new ClickHouseException(1001, 'STD_EXCEPTION', trimmed || 'unknown engine error');
}

/** The body ClickHouse writes for a failed request, ending in the engine's version. */
export function renderException(error: ClickHouseException, version: string): string {
  const message = error.message.endsWith('.') ? error.message : `${error.message}.`;
  return `Code: ${error.code}. DB::Exception: ${message} (${error.errorName}) (version ${version} (chDB))\n`;
}

const BAD_REQUEST = new Set([
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
  'CANNOT_PARSE_IPV4',
  'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_OPEN_FILE',
  'CANNOT_COMPILE_REGEXP',
  'CANNOT_PARSE_UUID',
  'DUPLICATE_COLUMN',
  'ILLEGAL_COLUMN',
  'THERE_IS_NO_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNKNOWN_TYPE_OF_AST_NODE',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'BAD_ARGUMENTS',
  'UNKNOWN_QUERY_PARAMETER',
  'BAD_QUERY_PARAMETER',
  'QUERY_PARAMETER_NOT_SET',
]);

const NOT_FOUND = new Set([
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
  'SESSION_NOT_FOUND',
]);

/** The HTTP status ClickHouse's HTTP handler picks for an error name. */
export function httpStatusFor(errorName: string): number {
  if (errorName === 'REQUIRED_PASSWORD') return 401;
  if (
    ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE'].includes(errorName)
  ) {
    return 403;
  }
  if (BAD_REQUEST.has(errorName)) return 400;
  if (NOT_FOUND.has(errorName)) return 404;
  if (errorName === 'QUERY_IS_TOO_LARGE') return 413;
  if (errorName === 'NOT_IMPLEMENTED') return 501;
  if (errorName === 'SOCKET_TIMEOUT' || errorName === 'CANNOT_READ_FROM_SOCKET') return 503;
  if (errorName === 'TIMEOUT_EXCEEDED') return 504;
  if (errorName === 'SESSION_IS_LOCKED') return 423;
  return 500;
}
