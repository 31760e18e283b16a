import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../durable-file.ts';
import type { OffsetCommitEntry } from '../groups/group-coordinator.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { ProducerIds } from './producer-ids.ts';

interface Transaction {
  readonly transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  ongoing: boolean;
  startedAt: number;
  readonly partitions: Map<string, { topic: string; partition: number }>;
  readonly pendingOffsets: Map<string, OffsetCommitEntry[]>;
}

/** What the coordinator needs from the rest of the broker. */
export interface TransactionEffects {
  writeMarker(topic: string, partition: number, producerId: number, epoch: number, commit: boolean): void;
  commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): void;
  topicExists(topic: string, partition: number): boolean;
}

const MAX_TIMEOUT_MS = 900_000;
const TICK_MS = 250;

/**
 * Transactions of transactional producers: which partitions and groups each touched, the
 * offsets it will commit, and the markers that end it. Ids and epochs survive restarts; a
 * transaction open when the broker died is aborted at start (see Broker).
 */
export class TransactionCoordinator {
  private readonly txns = new Map<string, Transaction>();
  private readonly byProducerId = new Map<number, Transaction>();
  private readonly ids: ProducerIds;
  private readonly file: string;
  private readonly timer: NodeJS.Timeout;

  constructor(
    dataDir: string,
    private readonly effects: TransactionEffects,
    private readonly now: () => number = Date.now,
  ) {
    this.ids = new ProducerIds(dataDir);
    this.file = join(dataDir, 'transactions.jsonl');
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        try {
          const l = JSON.parse(line) as { id: string; pid: number; epoch: number; timeoutMs: number };
          this.remember(this.fresh(l.id, l.pid, l.epoch, l.timeoutMs));
        } catch {
          // blank or cut-short last line
        }
      }
    }
    // One line per transactional id from here on, so the file stays as small as the id set.
    replaceFile(this.file, [...this.txns.values()].map((t) => this.line(t)).join(''));
    this.timer = setInterval(() => this.expire(), TICK_MS);
    this.timer.unref();
  }

  private line(t: Transaction): string {
    return `${JSON.stringify({ id: t.transactionalId, pid: t.producerId, epoch: t.epoch, timeoutMs: t.timeoutMs })}\n`;
  }

  private remember(txn: Transaction): void {
    const previous = this.txns.get(txn.transactionalId);
    if (previous !== undefined) this.byProducerId.delete(previous.producerId);
    this.txns.set(txn.transactionalId, txn);
    this.byProducerId.set(txn.producerId, txn);
  }

  /**
   * Whether a transactional batch may be appended: its producer must be in a transaction that
   * added this partition. Without this, a write after the transaction ended (timed out, or
   * aborted by a restart) would open a transaction no marker will ever close.
   */
  accepts(producerId: number, epoch: number, topic: string, partition: number): boolean {
    const txn = this.byProducerId.get(producerId);
    if (txn?.ongoing !== true || txn.epoch !== epoch) return false;
    return txn.partitions.has(`${topic}\u0000${partition}`);
  }

  private fresh(id: string, producerId: number, epoch: number, timeoutMs: number): Transaction {
    return {
      transactionalId: id,
      producerId,
      epoch,
      timeoutMs,
      ongoing: false,
      startedAt: 0,
      partitions: new Map(),
      pendingOffsets: new Map(),
    };
  }

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
  ): { errorCode: number; producerId: number; epoch: number } {
    if (transactionalId === null || transactionalId === '') {
      return { errorCode: ErrorCode.NONE, producerId: this.ids.allocate(), epoch: 0 };
    }
    if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
      return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, epoch: -1 };
    }
    let txn = this.txns.get(transactionalId);
    if (txn === undefined) {
      txn = this.fresh(transactionalId, this.ids.allocate(), 0, timeoutMs);
      this.remember(txn);
    } else {
      if (txn.ongoing) this.finish(txn, false);
      txn.epoch++;
      if (txn.epoch >= 32767) {
        this.byProducerId.delete(txn.producerId);
        txn.producerId = this.ids.allocate();
        txn.epoch = 0;
        this.byProducerId.set(txn.producerId, txn);
      }
      txn.timeoutMs = timeoutMs;
    }
    appendFileSync(this.file, this.line(txn));
    return { errorCode: ErrorCode.NONE, producerId: txn.producerId, epoch: txn.epoch };
  }

  private lookup(transactionalId: string, producerId: number, epoch: number): Transaction | number {
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.epoch !== epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return txn;
  }

  private begin(txn: Transaction): void {
    if (!txn.ongoing) {
      txn.ongoing = true;
      txn.startedAt = this.now();
    }
  }

  addPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    partitions: readonly { topic: string; partition: number }[],
  ): number[] {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return partitions.map(() => txn);
    const codes = partitions.map((p) =>
      this.effects.topicExists(p.topic, p.partition) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    if (codes.some((c) => c !== ErrorCode.NONE)) return codes;
    this.begin(txn);
    for (const p of partitions) txn.partitions.set(`${p.topic}\u0000${p.partition}`, p);
    return codes;
  }

  addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    this.begin(txn);
    if (!txn.pendingOffsets.has(groupId)) txn.pendingOffsets.set(groupId, []);
    return ErrorCode.NONE;
  }

  commitOffsets(
    transactionalId: string,
    producerId: number,
    epoch: number,
    groupId: string,
    entries: readonly OffsetCommitEntry[],
  ): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (!txn.ongoing || !txn.pendingOffsets.has(groupId)) return ErrorCode.INVALID_TXN_STATE;
    txn.pendingOffsets.get(groupId)!.push(...entries);
    return ErrorCode.NONE;
  }

  end(transactionalId: string, producerId: number, epoch: number, commit: boolean): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    // Nothing to end: fine for an abort; a commit of work this broker never saw (it was
    // restarted mid-transaction and aborted it) must fail rather than claim success.
    if (!txn.ongoing) return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
    this.finish(txn, commit);
    return ErrorCode.NONE;
  }

  private finish(txn: Transaction, commit: boolean): void {
    for (const p of txn.partitions.values()) {
      if (this.effects.topicExists(p.topic, p.partition)) {
        this.effects.writeMarker(p.topic, p.partition, txn.producerId, txn.epoch, commit);
      }
    }
    if (commit) for (const [group, entries] of txn.pendingOffsets) this.effects.commitOffsets(group, entries);
    txn.partitions.clear();
    txn.pendingOffsets.clear();
    txn.ongoing = false;
  }

  /** A transaction left open past its timeout is aborted and its producer fenced. */
  private expire(): void {
    const now = this.now();
    for (const txn of this.txns.values()) {
      if (txn.ongoing && now - txn.startedAt > txn.timeoutMs) {
        this.finish(txn, false);
        txn.epoch++;
        appendFileSync(this.file, this.line(txn));
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
