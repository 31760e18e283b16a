import { ClickHouseException } from './exception.ts';

/**
 * One request to the HTTP interface, read from its URL query string and headers: what to
 * run, where, and under which settings. Everything not listed as an interface parameter
 * is a ClickHouse setting, exactly as the real server treats it.
 */
export interface QueryRequest {
  /** The `query` URL parameter ('' when absent; the body then carries the query). */
  readonly urlQuery: string;
  readonly database?: string;
  readonly defaultFormat?: string;
  readonly queryId?: string;
  readonly session?: SessionRequest;
  /** Settings to apply to this query, values as the client sent them. */
  readonly settings: Readonly<Record<string, string>>;
  /** `{name:Type}` query parameters, values in ClickHouse's escaped text form. */
  readonly params: Readonly<Record<string, string>>;
  /** `enable_http_compression=1`: the response may be compressed. */
  readonly compressResponse: boolean;
  readonly credentials: Credentials;
}

export interface SessionRequest {
  readonly id: string;
  readonly timeoutSeconds: number;
  /** `session_check=1`: fail instead of creating a missing session. */
  readonly mustExist: boolean;
}

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export const DEFAULT_SESSION_TIMEOUT_SECONDS = 60;
const MAX_SESSION_TIMEOUT_SECONDS = 3600;

/**
 * Parameters that steer the HTTP layer rather than the engine. Passing them to the engine
 * as settings would fail (they are not engine settings in chDB) or change nothing.
 */
const INTERFACE_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'role',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'http_wait_end_of_query',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'cancel_http_readonly_queries_on_client_close',
  'add_http_cors_header',
  'http_response_buffer_size',
  'client_protocol_version',
  'stacktrace',
  // readonly would stop the endpoint itself from resetting settings between requests.
  'readonly',
]);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export type HeaderValue = string | readonly string[] | undefined;

function header(headers: Readonly<Record<string, HeaderValue>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/** Reads credentials the way ClickHouse does: basic auth, X-ClickHouse-* headers, URL params. */
export function readCredentials(
  search: URLSearchParams,
  headers: Readonly<Record<string, HeaderValue>>,
): Credentials {
  const authorization = header(headers, 'authorization');
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return { user: decoded, password: '' };
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = header(headers, 'x-clickhouse-user') ?? search.get('user') ?? 'default';
  const password = header(headers, 'x-clickhouse-key') ?? search.get('password') ?? '';
  return { user, password };
}

function readSession(search: URLSearchParams): SessionRequest | undefined {
  const id = search.get('session_id');
  if (id === null || id === '') return undefined;
  const rawTimeout = search.get('session_timeout');
  let timeoutSeconds = DEFAULT_SESSION_TIMEOUT_SECONDS;
  if (rawTimeout !== null) {
    timeoutSeconds = Number(rawTimeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
      throw new ClickHouseException(
        27,
        'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
        `session_timeout must be a non-negative number of seconds, got '${rawTimeout}'`,
      );
    }
    if (timeoutSeconds > MAX_SESSION_TIMEOUT_SECONDS) {
      throw new ClickHouseException(
        69,
        'ARGUMENT_OUT_OF_BOUND',
        `Session timeout '${rawTimeout}' is larger than the maximum of ${MAX_SESSION_TIMEOUT_SECONDS} seconds`,
      );
    }
  }
  return { id, timeoutSeconds, mustExist: search.get('session_check') === '1' };
}

/** Parses the URL query string and headers of one request; bad input is a ClickHouseException. */
export function parseQueryRequest(
  search: URLSearchParams,
  headers: Readonly<Record<string, HeaderValue>>,
): QueryRequest {
  const settings: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const [key, value] of search) {
    if (key.startsWith('param_')) {
      const name = key.slice('param_'.length);
      if (!PARAM_NAME.test(name)) {
        throw new ClickHouseException(
          36,
          'BAD_ARGUMENTS',
          `Query parameter name '${name}' must start with a letter or underscore and contain only letters, digits, '_' and '.'`,
        );
      }
      params[name] = value;
    } else if (!INTERFACE_PARAMETERS.has(key)) {
      if (!SETTING_NAME.test(key)) {
        throw new ClickHouseException(115, 'UNKNOWN_SETTING', `Unknown setting '${key}'`);
      }
      settings[key] = value;
    }
  }
  const database = search.get('database') ?? header(headers, 'x-clickhouse-database');
  const defaultFormat = search.get('default_format') ?? header(headers, 'x-clickhouse-format');
  const queryId = search.get('query_id');
  const session = readSession(search);
  return {
    urlQuery: search.get('query') ?? '',
    ...(database ? { database } : {}),
    ...(defaultFormat ? { defaultFormat } : {}),
    ...(queryId ? { queryId } : {}),
    ...(session ? { session } : {}),
    settings,
    params,
    compressResponse: search.get('enable_http_compression') === '1',
    credentials: readCredentials(search, headers),
  };
}

/**
 * The statement text ClickHouse runs: the `query` parameter, then the body on a new line.
 * For an INSERT named in the URL the body is its data instead, kept apart.
 */
export function composeStatement(urlQuery: string, body: string): string {
  if (urlQuery === '') return body;
  if (body === '') return urlQuery;
  return `${urlQuery}\n${body}`;
}
