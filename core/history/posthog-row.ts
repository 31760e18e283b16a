import type { SegmentType } from '../segment/segment-message.ts';
import { rowEventId } from './row-event-id.ts';
import {
  asObject,
  compact,
  type ImportMessage,
  type Loose,
  type RowMapping,
  text,
  unmappable,
} from './row-mapping.ts';
import { rowTimestamp } from './row-timestamp.ts';

/** PostHog's own events that are another Segment call; every other event is a track of its name. */
const CALLS: Readonly<Record<string, SegmentType>> = {
  $pageview: 'page',
  $screen: 'screen',
  $identify: 'identify',
  $groupidentify: 'group',
  $create_alias: 'alias',
};

/**
 * An event from a PostHog export (batch export or download: `uuid`, `event`, `distinct_id`,
 * `timestamp`, `properties` as an object or JSON text) as `/v1/import` takes it. `$pageview` is a
 * page (`$current_url`, `$pathname`, `$referrer`, `title`), `$screen` a screen, `$identify` an
 * identify (`$set` as traits), `$groupidentify` a group, `$create_alias` an alias, anything else
 * a track of its name (`$autocapture` is stored as `x_autocapture`). `distinct_id` is the user,
 * or the anonymous id where PostHog says the person was not identified (`$is_identified: false`,
 * or the id is the `$device_id`). PostHog's `$` properties that have no Spate place (`$set`,
 * `$elements`, `$lib`, feature flags, ...) are left out; all others are kept in `properties`.
 */
export function mapPosthogRow(row: Loose): RowMapping {
  const props = propertiesOf(row.properties);
  if (props === undefined) return unmappable('properties', 'type', 'properties must be a JSON object');
  const name = text(row.event);
  if (name === undefined) return unmappable('event', 'required', 'event is required');
  const rawTime = row.timestamp ?? row.created_at;
  if (text(rawTime) === undefined) return unmappable('timestamp', 'required', 'timestamp is required');
  const time = rowTimestamp(rawTime);
  if (!time.ok) return unmappable('timestamp', 'format', time.message);
  const distinctId = text(row.distinct_id);
  if (distinctId === undefined) return unmappable('distinct_id', 'required', 'distinct_id is required');

  const deviceId = text(props.$device_id);
  const anonymous = props.$is_identified === false || distinctId === deviceId;
  const otherId = deviceId ?? text(props.$anon_distinct_id);
  const type: SegmentType = Object.hasOwn(CALLS, name) ? (CALLS[name] as SegmentType) : 'track';
  const referrer = text(props.$referrer);
  const content = compact({
    type,
    event: type === 'track' ? name.slice(0, 256) : undefined,
    name: type === 'screen' ? text(props.$screen_name) : undefined,
    userId: anonymous ? undefined : distinctId,
    anonymousId: anonymous ? distinctId : otherId !== distinctId ? otherId : undefined,
    groupId: type === 'group' ? text(props.$group_key) : undefined,
    previousId: type === 'alias' ? text(props.alias) : undefined,
    timestamp: time.timestamp,
    properties: compact({
      ...ownProperties(props),
      group_type: type === 'group' ? text(props.$group_type) : undefined,
    }),
    traits: traitsOf(type, row, props),
    context: compact({
      userAgent: text(props.$raw_user_agent) ?? text(props.$user_agent),
      ip: text(props.$ip),
      locale: text(props.$browser_language),
      sessionId: text(props.$session_id),
      page: compact({
        url: text(props.$current_url),
        path: text(props.$pathname),
        referrer: referrer === '$direct' ? undefined : referrer,
        title: text(props.$title) ?? (type === 'page' ? text(props.title) : undefined),
      }),
    }),
  }) as Omit<ImportMessage, 'messageId'>;
  const messageId = text(row.uuid) ?? rowEventId(content);
  return { ok: true, message: { ...content, messageId } };
}

/**
 * A row of PostHog's CSV download as the object its NDJSON holds: a `*.` column prefix dropped,
 * `properties` parsed from its JSON text, `properties.<name>` columns put inside `properties`.
 */
export function posthogCsvObject(header: readonly string[], values: readonly string[]): Loose {
  const row: Loose = {};
  const properties: Loose = {};
  header.forEach((raw, i) => {
    const value = values[i];
    if (value === undefined || value === '') return;
    const column = raw.startsWith('*.') ? raw.slice(2) : raw;
    if (column.startsWith('properties.')) properties[column.slice('properties.'.length)] = value;
    else row[column] = value;
  });
  if (Object.keys(properties).length === 0) return row;
  const parsed = row.properties === undefined ? {} : propertiesOf(row.properties);
  return { ...row, properties: parsed === undefined ? row.properties : { ...parsed, ...properties } };
}

function propertiesOf(value: unknown): Loose | undefined {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'string') return asObject(value);
  try {
    return asObject(JSON.parse(value));
  } catch {
    return undefined;
  }
}

function ownProperties(props: Loose): Loose {
  const out: Loose = {};
  for (const [key, value] of Object.entries(props)) if (!key.startsWith('$')) out[key] = value;
  return out;
}

function traitsOf(type: SegmentType, row: Loose, props: Loose): Loose | undefined {
  if (type === 'group') return asObject(props.$group_set);
  if (type !== 'identify') return undefined;
  // Batch exports hold `set` as JSON text; events as sent hold `$set` among the properties.
  return [row.set, row.$set, props.$set].map(propertiesOf).find((o) => o && Object.keys(o).length > 0);
}
