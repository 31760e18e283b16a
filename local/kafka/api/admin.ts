import type { TopicConfig } from '../log/topic-store.ts';
import { topicNameError } from '../log/topic-store.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { RequestContext } from './request-context.ts';

/** Topic configs a client may set at creation, each checked before the topic exists. */
function applyConfig(config: TopicConfig, name: string, value: string | null): TopicConfig | string {
  const num = Number(value);
  switch (name) {
    case 'retention.ms':
      return Number.isInteger(num) && num >= -1
        ? { ...config, retentionMs: num }
        : `${name} must be an integer >= -1`;
    case 'retention.bytes':
      return Number.isInteger(num) && num >= -1
        ? { ...config, retentionBytes: num }
        : `${name} must be an integer >= -1`;
    case 'segment.bytes':
      return Number.isInteger(num) && num >= 1024
        ? { ...config, segmentBytes: num }
        : `${name} must be an integer >= 1024`;
    case 'message.timestamp.type':
      if (value === 'LogAppendTime') return { ...config, logAppendTime: true };
      if (value === 'CreateTime') return { ...config, logAppendTime: false };
      return `${name} must be CreateTime or LogAppendTime`;
    default:
      return config; // other settings (cleanup.policy, ...) do not change a local log
  }
}

export function handleCreateTopics(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.int32(),
    replicationFactor: r.int16(),
    assignments: r.array((r) => ({ partition: r.int32(), brokers: r.array((r) => r.int32()) })),
    configs: r.array((r) => ({ name: r.string(), value: r.nullableString() })),
  }));
  r.int32(); // timeout
  const validateOnly = v >= 1 ? r.bool() : false;
  const { broker } = ctx;
  const results = topics.map((t) => {
    const fail = (errorCode: number, message: string) => ({ name: t.name, errorCode, message });
    const nameError = topicNameError(t.name);
    if (nameError !== null) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError);
    if (broker.topics.get(t.name) !== undefined)
      return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} exists`);
    const partitions =
      t.assignments.length > 0
        ? t.assignments.length
        : t.partitions === -1
          ? broker.settings.defaultPartitions
          : t.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
      return fail(ErrorCode.INVALID_PARTITIONS, 'num_partitions must be between 1 and 10000');
    }
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        'replication_factor must be 1: the broker is a single node',
      );
    }
    let config: TopicConfig | string = broker.newTopicConfig(t.name, partitions);
    for (const c of t.configs) {
      if (typeof config === 'string') break;
      config = applyConfig(config, c.name, c.value);
    }
    if (typeof config === 'string') return fail(ErrorCode.INVALID_CONFIG, config);
    if (!validateOnly) broker.topics.create(config);
    return { name: t.name, errorCode: ErrorCode.NONE, message: null };
  });
  const w = new Writer();
  if (v >= 2) w.int32(0);
  w.array(results, (w, t) => {
    w.string(t.name).int16(t.errorCode);
    if (v >= 1) w.nullableString(t.message);
  });
  return w;
}

export function handleDeleteTopics(ctx: RequestContext, r: Reader): Writer {
  const names = r.array((r) => r.string());
  r.int32(); // timeout
  const w = new Writer();
  if (ctx.version >= 1) w.int32(0);
  w.array(names, (w, name) => {
    w.string(name).int16(
      ctx.broker.topics.delete(name) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });
  return w;
}

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const SOURCE_TOPIC_CONFIG = 1;
const SOURCE_DEFAULT = 5;

function configEntries(ctx: RequestContext, type: number, name: string): [string, string][] | null {
  if (type === RESOURCE_BROKER) {
    return [
      ['auto.create.topics.enable', String(ctx.broker.settings.autoCreate)],
      ['num.partitions', String(ctx.broker.settings.defaultPartitions)],
      ['log.dirs', ctx.broker.settings.dataDir],
    ];
  }
  const topic = ctx.broker.topics.get(name);
  if (type !== RESOURCE_TOPIC || topic === undefined) return null;
  const c = topic.config;
  return [
    ['cleanup.policy', 'delete'],
    ['retention.ms', String(c.retentionMs)],
    ['retention.bytes', String(c.retentionBytes)],
    ['segment.bytes', String(c.segmentBytes)],
    ['message.timestamp.type', c.logAppendTime ? 'LogAppendTime' : 'CreateTime'],
    ['max.message.bytes', String(64 * 1024 * 1024)],
  ];
}

export function handleDescribeConfigs(ctx: RequestContext, r: Reader): Writer {
  const v = ctx.version;
  const resources = r.array((r) => ({
    type: r.int8(),
    name: r.string(),
    keys: r.nullableArray((r) => r.string()),
  }));
  if (v >= 1) r.bool(); // include synonyms: there are none
  const w = new Writer();
  w.int32(0);
  w.array(resources, (w, res) => {
    const entries = configEntries(ctx, res.type, res.name);
    const wanted = (entries ?? []).filter(([k]) => res.keys === null || res.keys.includes(k));
    if (entries === null) {
      w.int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).nullableString(
        `no ${res.type === RESOURCE_TOPIC ? 'topic' : 'resource'} ${res.name}`,
      );
    } else {
      w.int16(ErrorCode.NONE).nullableString(null);
    }
    w.int8(res.type).string(res.name);
    w.array(wanted, (w, [k, value]) => {
      w.string(k).nullableString(value).bool(false);
      if (v === 0) w.bool(false);
      else w.int8(res.type === RESOURCE_TOPIC ? SOURCE_TOPIC_CONFIG : SOURCE_DEFAULT);
      w.bool(false);
      if (v >= 1) w.array([], () => {});
    });
  });
  return w;
}
