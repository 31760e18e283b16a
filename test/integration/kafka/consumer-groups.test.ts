import { AssignerProtocol, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../../local/kafka/protocol/api-keys.ts';
import { type BrokerFixture, startFixture, topic, waitFor } from './broker-fixture.ts';
import { RawClient } from './raw-client.ts';

const TOPIC = 'clicks';

interface Member {
  readonly consumer: Consumer;
  partitions: number[];
  received: number;
}

describe('consumer groups', () => {
  let fx: BrokerFixture;
  beforeAll(async () => {
    fx = await startFixture({ topics: [topic(TOPIC, 6)] });
  });
  afterAll(() => fx.stop());

  async function join(groupId: string, name: string): Promise<Member> {
    const consumer = fx.kafka(name).consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 200,
    });
    const member: Member = { consumer, partitions: [], received: 0 };
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      member.partitions = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        member.received++;
      },
    });
    return member;
  }

  const covered = (members: Member[]) =>
    members
      .flatMap((m) => m.partitions)
      .sort((a, b) => a - b)
      .join(',') === '0,1,2,3,4,5';

  it('spreads partitions over 3 members and rebalances as they leave and time out', async () => {
    const members = [await join('trio', 'a'), await join('trio', 'b'), await join('trio', 'c')];
    await waitFor(
      'three-way split',
      () => covered(members) && members.every((m) => m.partitions.length === 2),
    );

    const producer = fx.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: 'x' })),
    });
    await waitFor('every message consumed', () => members.reduce((n, m) => n + m.received, 0) >= 60);

    // A clean leave: the other two take over its partitions.
    await members[2]!.consumer.disconnect();
    const rest = members.slice(0, 2);
    await waitFor('two-way split', () => covered(rest) && rest.every((m) => m.partitions.length === 3));

    // A member that joins and then goes silent is dropped after its session timeout.
    const raw = await RawClient.open(fx.broker.port);
    const metadata = AssignerProtocol.MemberMetadata.encode({
      version: 0,
      topics: [TOPIC],
      userData: Buffer.alloc(0),
    });
    let memberId = '';
    const joined = raw.request(ApiKey.JoinGroup, 1, (w) =>
      w
        .string('trio')
        .int32(1500)
        .int32(10_000)
        .string('')
        .string('consumer')
        .array(['RoundRobinAssigner'], (w, name) => {
          w.string(name).bytes(metadata);
        }),
    );
    const joinBody = await joined;
    expect(joinBody.int16()).toBe(0);
    const generation = joinBody.int32();
    joinBody.string();
    joinBody.string();
    memberId = joinBody.string();
    const sync = await raw.request(ApiKey.SyncGroup, 0, (w) =>
      w
        .string('trio')
        .int32(generation)
        .string(memberId)
        .array([], () => {}),
    );
    expect(sync.int16()).toBe(0);
    await waitFor('silent member got partitions', () => rest.every((m) => m.partitions.length === 2));

    const admin = fx.kafka().admin();
    await admin.connect();
    const during = await admin.describeGroups(['trio']);
    expect(during.groups[0]?.members).toHaveLength(3);
    await waitFor(
      'silent member expired',
      () => covered(rest) && rest.every((m) => m.partitions.length === 3),
    );
    const after = await admin.describeGroups(['trio']);
    expect(after.groups[0]?.members).toHaveLength(2);
    expect(after.groups[0]?.state).toBe('Stable');
    const listed = await admin.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toContain('trio');
    await admin.disconnect();
    raw.close();

    const before = rest.reduce((n, m) => n + m.received, 0);
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `m${i}`, value: 'y' })),
    });
    await waitFor(
      'new messages consumed by the two',
      () => rest.reduce((n, m) => n + m.received, 0) >= before + 30,
    );
    await producer.disconnect();
    for (const m of rest) await m.consumer.disconnect();
  });

  it('resumes from committed offsets when the group comes back', async () => {
    const producer = fx.kafka().producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: 12 }, (_, i) => ({ key: `r${i}`, value: 'z' })),
    });
    const first = await join('resumers', 'r1');
    const total = 60 + 30 + 12;
    await waitFor('first pass', () => first.received >= total);
    await first.consumer.disconnect();

    await producer.send({ topic: TOPIC, messages: [{ key: 'late', value: 'late' }] });
    await producer.disconnect();
    const second = await join('resumers', 'r2');
    await waitFor('the one new message', () => second.received >= 1);
    await new Promise((r) => setTimeout(r, 500));
    await second.consumer.disconnect();
    expect(second.received).toBe(1);

    const admin = fx.kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'resumers', topics: [TOPIC] });
    await admin.disconnect();
    const committed = offsets[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(committed).toBe(total + 1);
  });
});
