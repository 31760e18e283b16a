import { NODE_ID } from '../broker.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

export function handleFindCoordinator(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  r.string(); // key: this single node coordinates every group and transaction
  if (v >= 1) r.int8();
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  if (v >= 1) w.nullableString(null);
  w.int32(NODE_ID).string(ctx.advertisedHost).int32(ctx.advertisedPort);
  return w;
}

export async function handleJoinGroup(ctx: RequestContext, r: Reader): Promise<Writer> {
  const v = ctx.version;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = v >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
  const result = await ctx.broker.groups.join({
    groupId,
    memberId,
    groupInstanceId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    protocolType,
    protocols,
    clientId: ctx.clientId,
    clientHost: ctx.clientHost,
    requireKnownMemberId: v >= 4,
  });
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.int16(result.errorCode).int32(result.generationId).string(result.protocolName);
  w.string(result.leaderId).string(result.memberId);
  w.array(result.members, (w, m) => {
    w.string(m.memberId);
    if (v >= 5) w.nullableString(m.groupInstanceId);
    w.bytes(m.metadata);
  });
  return w;
}

export async function handleSyncGroup(ctx: RequestContext, r: Reader): Promise<Writer> {
  const v = ctx.version;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  if (v >= 3) r.nullableString();
  const assignments = r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
  const result = await ctx.broker.groups.sync(
    groupId,
    generationId,
    memberId,
    assignments.length > 0 ? new Map(assignments.map((a) => [a.memberId, a.assignment])) : null,
  );
  const w = new Writer();
  if (v >= 1) w.int32(0);
  return w.int16(result.errorCode).bytes(result.assignment);
}

export function handleHeartbeat(ctx: RequestContext, r: Reader): Writer {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const w = new Writer();
  if (ctx.version >= 1) w.int32(0);
  return w.int16(ctx.broker.groups.heartbeat(groupId, generationId, memberId));
}

export function handleLeaveGroup(ctx: RequestContext, r: Reader): Writer {
  const groupId = r.string();
  const memberId = r.string();
  const w = new Writer();
  if (ctx.version >= 1) w.int32(0);
  return w.int16(ctx.broker.groups.leave(groupId, memberId));
}

export function handleDescribeGroups(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const ids = r.array((r) => r.string());
  const w = new Writer();
  if (v >= 1) w.int32(0);
  w.array(ids, (w, id) => {
    const g = ctx.broker.groups.group(id);
    const state = g === undefined ? 'Dead' : g.state;
    w.int16(ErrorCode.NONE)
      .string(id)
      .string(state)
      .string(g?.protocolType ?? '');
    w.string(g?.state === 'Stable' || g?.state === 'CompletingRebalance' ? g.protocolName : '');
    w.array(g === undefined ? [] : [...g.members.values()], (w, m) => {
      w.string(m.memberId);
      if (v >= 4) w.nullableString(m.groupInstanceId);
      w.string(m.clientId).string(m.clientHost);
      w.bytes(m.protocols.find((p) => p.name === g?.protocolName)?.metadata ?? Buffer.alloc(0));
      w.bytes(m.assignment);
    });
    if (v >= 3) w.int32(-2147483648);
  });
  return w;
}

export function handleListGroups(ctx: RequestContext): Writer {
  const w = new Writer();
  if (ctx.version >= 1) w.int32(0);
  w.int16(ErrorCode.NONE);
  w.array(ctx.broker.groups.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  return w;
}
