import type { IncomingMessage } from 'node:http';

export type BodyRead = { readonly kind: 'ok'; readonly body: Buffer } | { readonly kind: 'too-large' };

/**
 * Reads a request body up to `limit` bytes. An oversized body is still drained (up to a hard
 * cap) before answering, because replying while the client is mid-upload makes many clients
 * report a broken pipe instead of the 413.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const drainCap = Math.max(limit * 4, 64 * 1024 * 1024);
    if (Number.isFinite(declared) && declared > drainCap) {
      request.destroy();
      resolve({ kind: 'too-large' });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) tooLarge = true;
      if (received > drainCap) {
        request.destroy();
        resolve({ kind: 'too-large' });
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(tooLarge ? { kind: 'too-large' } : { kind: 'ok', body: Buffer.concat(chunks) }),
    );
    request.on('error', reject);
  });
}
