import type { Socket } from 'node:net';
import { HANDLERS } from './api/dispatch.ts';
import type { RequestContext } from './api/request-context.ts';
import type { Broker } from './broker.ts';
import { ApiKey, isFlexibleRequest, SUPPORTED_VERSIONS } from './protocol/api-keys.ts';
import { ErrorCode } from './protocol/error-codes.ts';
import { MalformedRequestError, Reader } from './protocol/reader.ts';
import { Writer } from './protocol/writer.ts';

/** Frames above this close the connection: no client of Spate sends anything near it. */
export const MAX_FRAME_BYTES = 100 * 1024 * 1024;

/** Loopback clients reach us at ::ffff:127.0.0.1 on dual-stack sockets; advertise the plain form. */
function plainAddress(address: string | undefined): string {
  if (address === undefined) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * One client connection: splits the byte stream into size-prefixed frames and serves them
 * one at a time, in order, as Kafka does (a long-polling fetch holds back the next request).
 */
export class ClientConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly frames: Buffer[] = [];
  private serving = false;
  private closed = false;
  private readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly broker: Broker,
    private readonly advertisedHost: string | undefined,
  ) {
    this.peer = `${plainAddress(socket.remoteAddress)}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (data) => this.onData(data));
    socket.on('error', () => {}); // resets by clients are routine; 'close' follows
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private reject(reason: string): void {
    // A connection already torn down (client gone, broker closing) has nothing left to report.
    if (this.closed || this.socket.destroyed) return;
    this.closed = true;
    this.broker.settings.logger.warn(`closing connection from ${this.peer}: ${reason}`);
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.chunks.push(data);
    this.buffered += data.length;
    while (this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      const size = this.chunks[0]!.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) {
        this.reject(`frame size ${size} is outside 0..${MAX_FRAME_BYTES}`);
        return;
      }
      if (this.buffered < 4 + size) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    void this.serve();
  }

  private async serve(): Promise<void> {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.frames.length > 0 && !this.closed && !this.socket.destroyed) {
        const frame = this.frames.shift()!;
        try {
          await this.handle(frame);
        } catch (err) {
          const reason = err instanceof MalformedRequestError ? 'malformed request' : 'request failed';
          this.reject(`${reason}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString() ?? '';
    const range = SUPPORTED_VERSIONS.get(apiKey);
    const handler = HANDLERS.get(apiKey);
    if (range === undefined || handler === undefined) {
      this.broker.settings.logger.warn(`${this.peer} sent unknown API key ${apiKey}`);
      await this.respond(correlationId, new Writer().int16(ErrorCode.UNSUPPORTED_VERSION));
      return;
    }
    const served = version >= range.min && version <= range.max;
    if (apiKey !== ApiKey.ApiVersions && !served) {
      this.broker.settings.logger.warn(
        `${this.peer} sent API ${apiKey} v${version}; served: v${range.min}-v${range.max}`,
      );
      await this.respond(correlationId, new Writer().int16(ErrorCode.UNSUPPORTED_VERSION));
      return;
    }
    // An ApiVersions of unknown version has a header we cannot know; it is answered unread.
    if (served && isFlexibleRequest(apiKey, version)) r.skipTaggedFields();
    const ctx: RequestContext = {
      broker: this.broker,
      apiKey,
      version,
      correlationId,
      clientId,
      clientHost: plainAddress(this.socket.remoteAddress),
      advertisedHost: this.advertisedHost ?? plainAddress(this.socket.localAddress),
      advertisedPort: this.socket.localPort ?? 0,
    };
    const body = await handler(ctx, r);
    if (body !== null) await this.respond(correlationId, body);
  }

  private respond(correlationId: number, body: Writer): Promise<void> | undefined {
    if (this.closed) return;
    const parts = body.finish();
    const head = Buffer.allocUnsafe(8);
    head.writeInt32BE(body.length + 4, 0);
    head.writeInt32BE(correlationId, 4);
    this.socket.cork();
    this.socket.write(head);
    let ok = true;
    for (const p of parts) ok = this.socket.write(p);
    this.socket.uncork();
    if (ok) return;
    // Slow reader: hold its next request until the socket drains, so memory stays bounded.
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
