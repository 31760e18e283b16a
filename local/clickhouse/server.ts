import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeBody, encodeBody, pickResponseEncoding } from './compression.ts';
import type { Engine, EngineRequest } from './engine.ts';
import { ClickHouseException, fromEngineError, httpStatusFor, renderException } from './exception.ts';
import { contentTypeOf, DEFAULT_OUTPUT_FORMAT } from './formats.ts';
import { composeStatement, parseQueryRequest, type QueryRequest } from './http-request.ts';
import { isInsert, trailingFormat } from './sql-text.ts';
import { summaryHeader } from './summary.ts';

export interface HandlerOptions {
  /** user -> password; undefined accepts any credentials. */
  readonly users?: Readonly<Record<string, string>>;
  /** Largest request body accepted (after decompression it may grow; checked on the wire). */
  readonly maxBodyBytes: number;
  readonly displayName: string;
}

const OK = 'Ok.\n';

/** Reads the whole body; the engine takes inserts as one buffer. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(
          new ClickHouseException(
            36,
            'BAD_ARGUMENTS',
            `Request body is larger than this endpoint's limit of ${limit} bytes`,
            413,
          ),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** `use_multipart_params`: the query and its `param_*` values arrive as form fields. */
async function readMultipart(
  contentType: string,
  body: Buffer,
): Promise<{ query: string; params: Record<string, string> }> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const params: Record<string, string> = {};
  let query = '';
  for (const [name, value] of form) {
    const text = typeof value === 'string' ? value : await value.text();
    if (name === 'query') query = text;
    else if (name.startsWith('param_')) params[name.slice('param_'.length)] = text;
  }
  return { query, params };
}

function checkCredentials(request: QueryRequest, users: HandlerOptions['users']): void {
  if (!users) return;
  const { user, password } = request.credentials;
  if (users[user] !== password) {
    throw new ClickHouseException(
      516,
      'AUTHENTICATION_FAILED',
      `${user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
}

/** Builds the engine statement for one request: an insert with a data body, or text. */
async function toEngineRequest(req: IncomingMessage, request: QueryRequest, options: HandlerOptions) {
  const raw = await readBody(req, options.maxBodyBytes);
  const body = await decodeBody(req.headers['content-encoding'], raw);
  let urlQuery = request.urlQuery;
  let params = request.params;
  let bodyText: string | undefined;
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('multipart/form-data')) {
    const form = await readMultipart(contentType, body);
    urlQuery = composeStatement(urlQuery, form.query);
    params = { ...params, ...form.params };
    bodyText = '';
  }
  const base = {
    ...(request.database ? { database: request.database } : {}),
    ...(request.session ? { session: request.session } : {}),
    settings: request.settings,
    params,
  };
  if (bodyText === undefined && isInsert(urlQuery) && body.length > 0) {
    const engineRequest: EngineRequest = {
      ...base,
      sql: urlQuery,
      insertData: body,
      format: DEFAULT_OUTPUT_FORMAT,
    };
    return { engineRequest, format: trailingFormat(urlQuery) ?? DEFAULT_OUTPUT_FORMAT };
  }
  const sql = composeStatement(urlQuery, bodyText ?? body.toString('utf8'));
  if (sql.trim() === '') throw new ClickHouseException(62, 'SYNTAX_ERROR', 'Empty query');
  const format = trailingFormat(sql) ?? request.defaultFormat ?? DEFAULT_OUTPUT_FORMAT;
  const engineRequest: EngineRequest = { ...base, sql, format };
  return { engineRequest, format };
}

function sendException(
  res: ServerResponse,
  error: ClickHouseException,
  headers: Record<string, string>,
  version: string,
): void {
  const body = renderException(error, version);
  res.writeHead(error.status ?? httpStatusFor(error.errorName), {
    ...headers,
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(error.code),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The HTTP interface: `/ping`, and `/` taking queries and inserts. */
export function createRequestHandler(engine: Engine, options: HandlerOptions) {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping' || url.pathname === '/replicas_status') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': OK.length });
      res.end(req.method === 'HEAD' ? undefined : OK);
      return;
    }
    if (url.pathname !== '/') {
      const body = `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`;
      res.writeHead(404, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    const hasBody = req.method === 'POST' || req.headers['content-length'] !== undefined;
    if (!url.searchParams.has('query') && !hasBody) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': OK.length });
      res.end(OK);
      return;
    }
    const queryId = url.searchParams.get('query_id') || randomUUID();
    const headers: Record<string, string> = {
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Server-Display-Name': options.displayName,
      'X-ClickHouse-Timezone': engine.server.timezone,
    };
    try {
      const request = parseQueryRequest(url.searchParams, req.headers);
      checkCredentials(request, options.users);
      const { engineRequest, format } = await toEngineRequest(req, request, options);
      const reply = await engine.run(engineRequest);
      if (!reply.ok) {
        sendException(res, fromEngineError(reply.message), headers, engine.server.version);
        return;
      }
      const encoding = request.compressResponse
        ? pickResponseEncoding(req.headers['accept-encoding'])
        : undefined;
      const output = encoding ? await encodeBody(encoding, reply.output) : reply.output;
      res.writeHead(200, {
        ...headers,
        'Content-Type': contentTypeOf(format),
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Summary': summaryHeader(reply.stats, reply.output.byteLength),
        'Content-Length': output.byteLength,
        ...(encoding ? { 'Content-Encoding': encoding } : {}),
      });
      res.end(output);
    } catch (err) {
      const error =
        err instanceof ClickHouseException
          ? err
          : new ClickHouseException(1001, 'STD_EXCEPTION', err instanceof Error ? err.message : String(err));
      if (!res.headersSent) sendException(res, error, headers, engine.server.version);
      else res.destroy();
    }
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res);
  };
}
