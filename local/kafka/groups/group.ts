import { ErrorCode } from '../protocol/error-codes.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Filled for the leader only: every member and its subscription metadata. */
  readonly members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

export interface Member {
  readonly memberId: string;
  clientId: string;
  clientHost: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  lastSeen: number;
  pendingJoin: ((r: JoinResult) => void) | null;
  pendingSync: ((r: SyncResult) => void) | null;
}

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] };
}

const EMPTY = Buffer.alloc(0);

/**
 * One consumer group and its rebalance protocol (the classic JoinGroup/SyncGroup dance):
 * a join or a departure starts a rebalance; it completes when every known member has
 * rejoined or the rebalance timeout drops the ones that did not.
 */
export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType = '';
  protocolName = '';
  leaderId = '';
  readonly members = new Map<string, Member>();
  private rebalanceDeadline = 0;
  private initialDelayUntil = 0;

  constructor(
    readonly groupId: string,
    private readonly initialRebalanceDelayMs: number,
  ) {}

  addOrUpdate(member: Member, now: number): void {
    this.members.set(member.memberId, member);
    member.lastSeen = now;
    this.prepareRebalance(now);
  }

  prepareRebalance(now: number): void {
    if (this.state === 'CompletingRebalance') {
      // Members waiting on SyncGroup must rejoin: the assignment they wait for is stale.
      for (const m of this.members.values())
        this.answerSync(m, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    if (this.state !== 'PreparingRebalance') {
      if (this.state === 'Empty') this.initialDelayUntil = now + this.initialRebalanceDelayMs;
      this.state = 'PreparingRebalance';
      let timeout = 0;
      for (const m of this.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
      this.rebalanceDeadline = now + timeout;
    }
  }

  private answerSync(m: Member, r: SyncResult): void {
    const cb = m.pendingSync;
    m.pendingSync = null;
    cb?.(r);
  }

  private answerJoin(m: Member, r: JoinResult): void {
    const cb = m.pendingJoin;
    m.pendingJoin = null;
    cb?.(r);
  }

  remove(memberId: string, now: number): void {
    const m = this.members.get(memberId);
    if (m === undefined) return;
    this.members.delete(memberId);
    this.answerJoin(m, joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    this.answerSync(m, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.leaderId = '';
      this.protocolName = '';
      this.generationId++;
      return;
    }
    if (this.leaderId === memberId) this.leaderId = '';
    this.prepareRebalance(now);
  }

  /** Advances timers: completes a rebalance that is due, expires silent members. */
  tick(now: number): void {
    if (this.state === 'PreparingRebalance') {
      // As Kafka does: a member that has neither rejoined nor heartbeated within its session is
      // gone (a killed process), so the rebalance need not wait the whole rebalance timeout.
      for (const m of [...this.members.values()]) {
        if (m.pendingJoin === null && now - m.lastSeen > m.sessionTimeoutMs) this.members.delete(m.memberId);
      }
      const allJoined = [...this.members.values()].every((m) => m.pendingJoin !== null);
      const due = now >= this.rebalanceDeadline;
      if ((allJoined && now >= this.initialDelayUntil) || due) {
        for (const m of [...this.members.values()]) {
          if (m.pendingJoin === null) this.members.delete(m.memberId);
        }
        this.completeJoin(now);
      }
      return;
    }
    if (this.state === 'CompletingRebalance' || this.state === 'Stable') {
      for (const m of [...this.members.values()]) {
        if (m.pendingSync === null && now - m.lastSeen > m.sessionTimeoutMs) this.remove(m.memberId, now);
      }
    }
  }

  private completeJoin(now: number): void {
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.generationId++;
      return;
    }
    this.generationId++;
    this.protocolName = this.chooseProtocol();
    if (!this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = 'CompletingRebalance';
    const everyone = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
    }));
    for (const m of this.members.values()) {
      m.lastSeen = now;
      m.assignment = EMPTY;
      this.answerJoin(m, {
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        protocolName: this.protocolName,
        leaderId: this.leaderId,
        memberId: m.memberId,
        members: m.memberId === this.leaderId ? everyone : [],
      });
    }
  }

  /** The leader's most preferred protocol that every member supports. */
  private chooseProtocol(): string {
    const members = [...this.members.values()];
    const leader = this.members.get(this.leaderId) ?? members[0]!;
    for (const p of leader.protocols) {
      if (members.every((m) => m.protocols.some((q) => q.name === p.name))) return p.name;
    }
    return leader.protocols[0]?.name ?? '';
  }

  supportsProtocols(protocolType: string, protocols: readonly Protocol[]): boolean {
    if (this.members.size === 0) return protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return protocols.some((p) =>
      [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)),
    );
  }

  sync(
    member: Member,
    assignments: Map<string, Buffer> | null,
    now: number,
  ): Promise<SyncResult> | SyncResult {
    member.lastSeen = now;
    if (this.state === 'PreparingRebalance')
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY };
    if (this.state === 'Stable') return { errorCode: ErrorCode.NONE, assignment: member.assignment };
    return new Promise((resolve) => {
      member.pendingSync = resolve;
      if (member.memberId === this.leaderId && assignments !== null) {
        for (const m of this.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
        this.state = 'Stable';
        for (const m of this.members.values())
          this.answerSync(m, { errorCode: ErrorCode.NONE, assignment: m.assignment });
      }
    });
  }

  /** Fails every waiting request: the broker is going away. */
  shutdown(): void {
    for (const m of this.members.values()) {
      this.answerJoin(m, joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
      this.answerSync(m, { errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY });
    }
  }
}
