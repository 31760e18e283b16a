import { connect, type Socket } from 'node:net';
import { Reader } from '../../../local/kafka/protocol/reader.ts';
import { Writer } from '../../../local/kafka/protocol/writer.ts';

/** A bare Kafka-protocol client for what kafkajs cannot be made to do (go silent, send junk). */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly waiting = new Map<number, (body: Reader) => void>();
  private nextId = 1;
  closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  private onData(d: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, d]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const r = new Reader(frame);
      const id = r.int32();
      this.waiting.get(id)?.(r);
      this.waiting.delete(id);
    }
  }

  /** Sends one request; resolves with a reader positioned at the response body. */
  request(apiKey: number, version: number, body: (w: Writer) => void): Promise<Reader> {
    const id = this.nextId++;
    const w = new Writer().int16(apiKey).int16(version).int32(id).string('raw');
    body(w);
    const parts = w.finish();
    const size = Buffer.alloc(4);
    size.writeInt32BE(w.length);
    this.socket.write(Buffer.concat([size, ...parts]));
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Produce v7 of one batch to one partition; the error code and base offset that came back. */
export async function produceBatch(
  raw: RawClient,
  topicName: string,
  partition: number,
  batch: Buffer,
): Promise<{ error: number; baseOffset: number }> {
  const r = await raw.request(0, 7, (w) =>
    w
      .nullableString(null)
      .int16(-1)
      .int32(5000)
      .array([topicName], (w, name) => {
        w.string(name).array([partition], (w, p) => w.int32(p).bytes(batch));
      }),
  );
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  return { error: r.int16(), baseOffset: r.int64() };
}

/** InitProducerId v0 without a transactional id: a fresh idempotent producer. */
export async function initProducer(raw: RawClient): Promise<{ producerId: number; epoch: number }> {
  const r = await raw.request(22, 0, (w) => w.nullableString(null).int32(60_000));
  r.int32();
  if (r.int16() !== 0) throw new Error('InitProducerId failed');
  return { producerId: r.int64(), epoch: r.int16() };
}
