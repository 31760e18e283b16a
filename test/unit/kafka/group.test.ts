import { describe, expect, it } from 'vitest';
import { Group, type JoinResult, type Member, type SyncResult } from '../../../local/kafka/groups/group.ts';

function member(id: string, joins: JoinResult[], sessionTimeoutMs = 1000): Member {
  return {
    memberId: id,
    clientId: id,
    clientHost: '127.0.0.1',
    groupInstanceId: null,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 5000,
    protocols: [{ name: 'range', metadata: Buffer.from(id) }],
    assignment: Buffer.alloc(0),
    lastSeen: 0,
    pendingJoin: (r) => joins.push(r),
    pendingSync: null,
  };
}

describe('Group rebalance protocol', () => {
  it('completes a join once every member has rejoined and gives the leader the member list', () => {
    const g = new Group('g', 0);
    const joins: JoinResult[] = [];
    const a = member('a', joins);
    g.protocolType = 'consumer';
    g.addOrUpdate(a, 0);
    g.tick(0);
    expect(joins).toHaveLength(1);
    expect(joins[0]).toMatchObject({ errorCode: 0, generationId: 1, leaderId: 'a', protocolName: 'range' });
    expect(g.state).toBe('CompletingRebalance');

    const b = member('b', joins);
    g.addOrUpdate(b, 10);
    g.tick(10); // a has not rejoined yet
    expect(joins).toHaveLength(1);
    a.pendingJoin = (r) => joins.push(r);
    g.tick(20);
    expect(joins.slice(1).map((j) => [j.memberId, j.generationId, j.members.length])).toEqual([
      ['a', 2, 2],
      ['b', 2, 0],
    ]);
  });

  it('does not wait the rebalance timeout for a member whose session expired (a killed consumer)', () => {
    const g = new Group('g', 0);
    const joins: JoinResult[] = [];
    const dead = member('dead', joins, 1000);
    g.addOrUpdate(dead, 0);
    g.tick(0);
    dead.pendingJoin = null; // it joined once, then its process was killed

    const fresh = member('fresh', joins, 1000);
    g.addOrUpdate(fresh, 500);
    g.tick(900); // the dead member's session (1 s) has not expired yet: wait for it
    expect(joins).toHaveLength(1);
    g.tick(1100); // expired, long before the 5 s rebalance timeout
    expect(joins.slice(1).map((j) => [j.memberId, j.members.length])).toEqual([['fresh', 1]]);
    expect([...g.members.keys()]).toEqual(['fresh']);
  });

  it('hands out the leader assignment on sync and drops a silent member after its session timeout', async () => {
    const g = new Group('g', 0);
    const joins: JoinResult[] = [];
    const a = member('a', joins);
    const b = member('b', joins);
    g.addOrUpdate(a, 0);
    g.addOrUpdate(b, 0);
    g.tick(0);
    const bSync = g.sync(b, null, 1) as Promise<SyncResult>;
    const aSync = g.sync(
      a,
      new Map([
        ['a', Buffer.from('A')],
        ['b', Buffer.from('B')],
      ]),
      1,
    ) as Promise<SyncResult>;
    expect((await aSync).assignment.toString()).toBe('A');
    expect((await bSync).assignment.toString()).toBe('B');
    expect(g.state).toBe('Stable');

    a.lastSeen = 1500; // a heartbeats, b does not
    g.tick(1500);
    expect([...g.members.keys()]).toEqual(['a']);
    expect(g.state).toBe('PreparingRebalance');
  });

  it('drops members that do not rejoin before the rebalance timeout', () => {
    const g = new Group('g', 0);
    const joins: JoinResult[] = [];
    const a = member('a', joins);
    const b = member('b', joins);
    g.addOrUpdate(a, 0);
    g.addOrUpdate(b, 0);
    g.tick(0);
    g.addOrUpdate(member('c', joins), 100); // a and b must rejoin, only a does
    a.pendingJoin = (r) => joins.push(r);
    g.tick(200);
    expect(g.state).toBe('PreparingRebalance');
    g.tick(100 + 5000);
    expect([...g.members.keys()].sort()).toEqual(['a', 'c']);
    expect(g.generationId).toBe(2);
  });
});
