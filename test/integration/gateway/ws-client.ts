import WebSocket from 'ws';

/** A test client that queues incoming messages so a test can await them in order. */
export interface TestClient {
  readonly socket: WebSocket;
  next(timeoutMs?: number): Promise<string>;
  closed: Promise<{ code: number; reason: string }>;
}

export function openClient(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const inbox: string[] = [];
    const waiters: ((message: string) => void)[] = [];
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const waiter = waiters.shift();
      if (waiter) waiter(text);
      else inbox.push(text);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.once('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      reject(
        Object.assign(new Error(`upgrade refused with ${response.statusCode}`), {
          statusCode: response.statusCode,
        }),
      );
      socket.terminate();
    });
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        closed,
        next: (timeoutMs = 10_000) => {
          const queued = inbox.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error('no message arrived')), timeoutMs);
            waiters.push((message) => {
              clearTimeout(timer);
              ok(message);
            });
          });
        },
      }),
    );
  });
}

/** Resolves when `predicate` holds, polling; for effects that happen after a socket closes. */
export async function eventually(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
