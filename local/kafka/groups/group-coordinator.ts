import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.ts';
import { Group, type JoinResult, joinError, type Member, type Protocol, type SyncResult } from './group.ts';
import { OffsetStore } from './offset-store.ts';

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: Protocol[];
  readonly clientId: string;
  readonly clientHost: string;
  /** JoinGroup v4+: a first join gets a member id back and must rejoin with it. */
  readonly requireKnownMemberId: boolean;
}

export interface OffsetCommitEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

const MIN_SESSION_TIMEOUT_MS = 1000;
const MAX_SESSION_TIMEOUT_MS = 1_800_000;
const TICK_MS = 100;

/** Every consumer group of the broker and their committed offsets. */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, accepted on the rejoin that follows. */
  private readonly issuedIds = new Set<string>();
  readonly offsets: OffsetStore;
  private readonly timer: NodeJS.Timeout;

  constructor(
    dataDir: string,
    private readonly initialRebalanceDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.offsets = new OffsetStore(dataDir);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = this.now();
    for (const g of this.groups.values()) g.tick(now);
  }

  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  private groupFor(groupId: string): Group {
    const existing = this.groups.get(groupId);
    if (existing !== undefined) return existing;
    const created = new Group(groupId, this.initialRebalanceDelayMs);
    this.groups.set(groupId, created);
    return created;
  }

  join(req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (req.sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || req.sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    const group = this.groupFor(req.groupId);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    }
    let memberId = req.memberId;
    if (memberId === '') {
      memberId = `${req.clientId || 'member'}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        this.issuedIds.add(memberId);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
    } else if (!group.members.has(memberId) && !this.issuedIds.delete(memberId)) {
      return joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId);
    }
    const now = this.now();
    const member: Member = group.members.get(memberId) ?? {
      memberId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      groupInstanceId: req.groupInstanceId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      lastSeen: now,
      pendingJoin: null,
      pendingSync: null,
    };
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (group.members.size === 0) group.protocolType = req.protocolType;
    return new Promise((resolve) => {
      member.pendingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, memberId));
      member.pendingJoin = resolve;
      group.addOrUpdate(member, now);
      group.tick(now);
    });
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: Map<string, Buffer> | null,
  ): Promise<SyncResult> | SyncResult {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) {
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) };
    }
    if (generationId !== group.generationId)
      return { errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: Buffer.alloc(0) };
    return group.sync(member, assignments, this.now());
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.lastSeen = this.now();
    if (group.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    if (group === undefined || !group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    group.remove(memberId, this.now());
    group.tick(this.now());
    return ErrorCode.NONE;
  }

  /** Checks a commit's generation; generation -1 with no member id is a standalone commit. */
  commitError(groupId: string, generationId: number, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (generationId < 0 && memberId === '') {
      return group !== undefined && group.members.size > 0 ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    }
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    member.lastSeen = this.now();
    return ErrorCode.NONE;
  }

  commit(groupId: string, entries: readonly OffsetCommitEntry[]): void {
    this.offsets.commit(groupId, entries);
  }

  /** Groups known from members or from committed offsets, with their protocol type. */
  list(): { groupId: string; protocolType: string }[] {
    const out = new Map<string, string>();
    for (const id of this.offsets.groupIds()) out.set(id, 'consumer');
    for (const g of this.groups.values())
      if (g.members.size > 0 || !out.has(g.groupId)) out.set(g.groupId, g.protocolType);
    return [...out].map(([groupId, protocolType]) => ({ groupId, protocolType }));
  }

  close(): void {
    clearInterval(this.timer);
    for (const g of this.groups.values()) g.shutdown();
  }
}
