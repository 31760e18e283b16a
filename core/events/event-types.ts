/** The event types Spate understands; anything else must be a custom `x_<name>` type. */
export const EVENT_TYPES = [
  'page_view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'checkout_started',
  'purchase',
  'signup',
  'search',
] as const;

export type KnownEventType = (typeof EVENT_TYPES)[number];
export type EventType = KnownEventType | `x_${string}`;

export const CUSTOM_TYPE_PATTERN = '^x_[a-z0-9_]{1,64}$';
export const EVENT_TYPE_PATTERN = `^(${EVENT_TYPES.join('|')}|x_[a-z0-9_]{1,64})$`;
