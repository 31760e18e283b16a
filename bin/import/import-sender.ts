import { retryDelayMs } from './retry-delay.ts';

/** One event's verdict in the import route's answer (`errors` and `clamped`), by its index in the batch. */
export interface EventVerdict {
  readonly index: number;
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** The route's answer to a batch: every event is either accepted or named in `errors`. */
export interface ImportAnswer {
  readonly accepted: number;
  readonly errors: readonly EventVerdict[];
  readonly clamped: readonly EventVerdict[];
}

/** The import cannot go on (the key is refused, the server stays unreachable): stop and keep the resume point. */
export class ImportAborted extends Error {
  override readonly name = 'ImportAborted';
}

export interface SenderOptions {
  /** The route, e.g. `http://127.0.0.1:4680/v1/import`. */
  readonly url: string;
  readonly writeKey: string;
  /** Tries of one request that fail (network, timeout, 5xx) before the import stops. */
  readonly retries: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (why: string, delayMs: number) => void;
}

const RETRIED = new Set([429, 500, 502, 503, 504]);

/**
 * Sends messages (JSON texts) to the import route until it answers for each of them. Network
 * errors, timeouts, 429 and 5xx are tried again after the delay the server asks for (or a
 * backoff); 413 splits the batch in halves. Nothing the server did not answer for is counted, so
 * an event is either acknowledged here or sent again by a later run.
 */
export async function sendMessages(
  messages: readonly string[],
  options: SenderOptions,
): Promise<ImportAnswer> {
  let failures = 0;
  let throttled = 0;
  for (let attempt = 1; ; attempt += 1) {
    let why: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
        body: `{"batch":[${messages.join(',')}]}`,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const body = await readJson(response);
      const answer = answerOf(body);
      if (answer && (response.ok || response.status === 400)) return answer;
      const refusal =
        `${response.status} ${String(body?.error ?? '')}: ${String(body?.message ?? '')}`.trim();
      if (response.status === 413 && messages.length > 1) return splitAndSend(messages, options);
      if (response.status === 413) {
        const rule = typeof body?.error === 'string' ? body.error : 'maxBodyBytes';
        return { accepted: 0, errors: [{ index: 0, field: '$', rule, message: refusal }], clamped: [] };
      }
      if (response.status === 401 || response.status === 403)
        throw new ImportAborted(`the ingest API refused the write key (${refusal})`);
      if (!RETRIED.has(response.status))
        throw new ImportAborted(`the ingest API refused a batch (${refusal})`);
      if (response.status === 429) throttled += 1;
      else failures += 1;
      why = refusal;
      retryAfter = response.headers.get('retry-after');
    } catch (err) {
      if (err instanceof ImportAborted) throw err;
      failures += 1;
      why = `no answer from ${options.url}: ${describe(err)}`;
    }
    // A server that asks to slow down is not failing; it is allowed ten times as many tries.
    if (failures > options.retries || throttled > options.retries * 10)
      throw new ImportAborted(`gave up after ${attempt} tries of one batch; last: ${why}`);
    const delayMs = retryDelayMs(attempt, retryAfter, Date.now());
    options.onRetry?.(why, delayMs);
    await sleep(delayMs, options.signal);
  }
}

async function splitAndSend(messages: readonly string[], options: SenderOptions): Promise<ImportAnswer> {
  const half = Math.ceil(messages.length / 2);
  const first = await sendMessages(messages.slice(0, half), options);
  const second = await sendMessages(messages.slice(half), options);
  const shift = (v: EventVerdict) => ({ ...v, index: v.index + half });
  return {
    accepted: first.accepted + second.accepted,
    errors: [...first.errors, ...second.errors.map(shift)],
    clamped: [...first.clamped, ...second.clamped.map(shift)],
  };
}

/** The per-event answer (`accepted`, `errors`, `clamped`), or undefined for a request-level refusal. */
function answerOf(body: Record<string, unknown> | undefined): ImportAnswer | undefined {
  if (!body || typeof body.accepted !== 'number' || !Array.isArray(body.errors)) return undefined;
  return {
    accepted: body.accepted,
    errors: body.errors.map(verdict),
    clamped: Array.isArray(body.clamped) ? body.clamped.map(verdict) : [],
  };
}

function verdict(v: unknown): EventVerdict {
  const o = (v ?? {}) as Record<string, unknown>;
  return {
    index: typeof o.index === 'number' ? o.index : -1,
    field: typeof o.field === 'string' ? o.field : '$',
    rule: typeof o.rule === 'string' ? o.rule : 'unknown',
    message: typeof o.message === 'string' ? o.message : '',
  };
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ImportAborted('interrupted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ImportAborted('interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
