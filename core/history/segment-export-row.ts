import { SEGMENT_TYPES, type SegmentType } from '../segment/segment-message.ts';
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

const TYPES: ReadonlySet<string> = new Set(SEGMENT_TYPES);

/**
 * A message from a Segment export (the raw messages its S3 archive and event-delivery dumps hold,
 * one JSON object a line) as `/v1/import` takes it. The fields the tracking API reads are kept;
 * those Segment added on its side (`receivedAt`, `_metadata`, `integrations`, `projectId`,
 * `writeKey`, ...) are not. The time is `timestamp`, else `originalTimestamp`, else `receivedAt`.
 */
export function mapSegmentExportRow(row: Loose): RowMapping {
  const type = text(row.type);
  if (type === undefined) return unmappable('type', 'required', 'type is required');
  if (!TYPES.has(type))
    return unmappable(
      'type',
      'enum',
      `type ${JSON.stringify(type)} is not one of ${SEGMENT_TYPES.join(', ')}`,
    );
  const rawTime = row.timestamp ?? row.originalTimestamp ?? row.receivedAt;
  if (text(rawTime) === undefined) return unmappable('timestamp', 'required', 'timestamp is required');
  const time = rowTimestamp(rawTime);
  if (!time.ok) return unmappable('timestamp', 'format', time.message);
  const userId = text(row.userId);
  const anonymousId = text(row.anonymousId);
  if (userId === undefined && anonymousId === undefined)
    return unmappable('userId', 'required', 'userId or anonymousId is required');
  const event = text(row.event);
  if (type === 'track' && event === undefined)
    return unmappable('event', 'required', 'event is required on track');

  const content = compact({
    type: type as SegmentType,
    event,
    name: type === 'page' || type === 'screen' ? text(row.name) : undefined,
    userId,
    anonymousId,
    groupId: text(row.groupId),
    previousId: text(row.previousId),
    timestamp: time.timestamp,
    properties: asObject(row.properties),
    traits: asObject(row.traits),
    context: asObject(row.context),
  }) as Omit<ImportMessage, 'messageId'>;
  const messageId = text(row.messageId) ?? rowEventId(content);
  return { ok: true, message: { ...content, messageId } };
}
