import { type Static, Type } from '@sinclair/typebox';

const Identity = Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Number()]);
const Loose = Type.Record(Type.String(), Type.Unknown());

export const SEGMENT_TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/**
 * A message of Segment's HTTP Tracking API, as its clients send it. Loose on purpose: Segment
 * clients add fields freely (`_metadata`, `integrations`, `writeKey`), and all must pass.
 */
export const SegmentMessageSchema = Type.Object({
  type: Type.Union(SEGMENT_TYPES.map((t) => Type.Literal(t))),
  messageId: Type.String({ minLength: 1, maxLength: 256 }),
  userId: Type.Optional(Type.Union([Identity, Type.Null()])),
  anonymousId: Type.Optional(Type.Union([Identity, Type.Null()])),
  event: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  name: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
  category: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
  groupId: Type.Optional(Identity),
  previousId: Type.Optional(Identity),
  timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  sentAt: Type.Optional(Type.String({ format: 'date-time' })),
  context: Type.Optional(Loose),
  properties: Type.Optional(Loose),
  traits: Type.Optional(Loose),
});

export type SegmentMessage = Static<typeof SegmentMessageSchema>;
