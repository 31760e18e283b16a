import { describe, expect, it } from 'vitest';
import { ALL_TOPICS } from '../../core/topics.ts';
import { parseWantedTopics, planTopics } from '../../lambdas/topics/topic-plan.ts';

const wanted = (name: string, partitions: number) => ({
  name,
  partitions,
  retentionMs: 1000,
  retentionBytes: -1,
});

describe('topic plan', () => {
  it('creates every topic on an empty cluster', () => {
    const topics = ALL_TOPICS.map((t) => wanted(t.name, t.partitions));
    const plan = planTopics(topics, new Map());
    expect(plan.create.map((t) => t.name)).toEqual(ALL_TOPICS.map((t) => t.name));
    expect(plan.grow).toEqual([]);
    expect(plan.reconfigure).toEqual([]);
  });

  it('grows partitions but never shrinks them, and re-applies retention of existing topics', () => {
    const plan = planTopics(
      [wanted('a', 6), wanted('b', 2), wanted('c', 3)],
      new Map([
        ['a', 3],
        ['b', 4],
      ]),
    );
    expect(plan.create.map((t) => t.name)).toEqual(['c']);
    expect(plan.grow).toEqual([{ name: 'a', partitions: 6 }]);
    expect(plan.reconfigure.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('parses custom resource properties (strings) and names the bad field', () => {
    expect(
      parseWantedTopics([{ Name: 'events.raw', Partitions: '6', RetentionMs: '100', RetentionBytes: '-1' }]),
    ).toEqual([{ name: 'events.raw', partitions: 6, retentionMs: 100, retentionBytes: -1 }]);
    expect(() =>
      parseWantedTopics([{ Name: 'x', Partitions: '0', RetentionMs: '1', RetentionBytes: '1' }]),
    ).toThrow('Topics[0].Partitions must be an integer >= 1 (got 0)');
    expect(() => parseWantedTopics([{ Name: 'bad name' }])).toThrow(
      /Topics\[0\].Name must be a Kafka topic name/,
    );
    expect(() => parseWantedTopics('x')).toThrow('Topics must be a list');
  });
});
