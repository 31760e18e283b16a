import { type Static, Type } from '@sinclair/typebox';
import { EVENT_TYPE_PATTERN } from './event-types.ts';

const Id = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Money = Type.Number({ minimum: 0, maximum: 1e9 });

export const PageSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    path: Type.Optional(Type.String({ maxLength: 1024 })),
    referrer: Type.Optional(Type.String({ maxLength: 2048 })),
    title: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ProductSchema = Type.Object(
  {
    id: Id(128),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    category: Type.Optional(Type.String({ maxLength: 256 })),
    price: Type.Optional(Money),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);

export const OrderItemSchema = Type.Object(
  {
    product_id: Id(128),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    price: Type.Optional(Money),
  },
  { additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    id: Id(128),
    revenue: Money,
    currency: Currency,
    items: Type.Optional(Type.Array(OrderItemSchema, { maxItems: 500 })),
  },
  { additionalProperties: false },
);

/** What a client may say about the device it reports for (server-side senders relay it). */
export const ClientContextSchema = Type.Object(
  {
    user_agent: Type.Optional(Type.String({ maxLength: 1024 })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    locale: Type.Optional(Type.String({ maxLength: 35 })),
  },
  { additionalProperties: false },
);

/**
 * An event as a client sends it to `POST /v1/events`. `user_id` or `anonymous_id` is required
 * too; that rule is checked beside the schema so its error names both fields plainly.
 */
export const IncomingEventSchema = Type.Object(
  {
    event_id: Type.String({ format: 'uuid' }),
    type: Type.String({ pattern: EVENT_TYPE_PATTERN }),
    user_id: Type.Optional(Id(256)),
    anonymous_id: Type.Optional(Id(256)),
    session_id: Type.Optional(Id(256)),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    sent_at: Type.Optional(Type.String({ format: 'date-time' })),
    page: Type.Optional(PageSchema),
    product: Type.Optional(ProductSchema),
    order: Type.Optional(OrderSchema),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    context: Type.Optional(ClientContextSchema),
  },
  { additionalProperties: false },
);

export type IncomingEvent = Static<typeof IncomingEventSchema>;
export type Page = Static<typeof PageSchema>;
export type Product = Static<typeof ProductSchema>;
export type Order = Static<typeof OrderSchema>;
