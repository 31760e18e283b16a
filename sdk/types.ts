/** The SDK's own copy of the event shape (the SDK ships alone, without the server's modules). */
export interface SdkPage {
  url?: string;
  path?: string;
  referrer?: string;
  title?: string;
}

export interface SdkProduct {
  id: string;
  name?: string;
  category?: string;
  price?: number;
  currency?: string;
}

export interface SdkOrder {
  id: string;
  revenue: number;
  currency: string;
  items?: { product_id: string; quantity?: number; price?: number }[];
}

export type SdkEventType =
  | 'page_view'
  | 'click'
  | 'add_to_cart'
  | 'remove_from_cart'
  | 'checkout_started'
  | 'purchase'
  | 'signup'
  | 'search'
  | `x_${string}`;

export interface SdkEvent {
  event_id: string;
  type: SdkEventType;
  user_id?: string;
  anonymous_id?: string;
  session_id?: string;
  timestamp: string;
  sent_at?: string;
  page?: SdkPage;
  product?: SdkProduct;
  order?: SdkOrder;
  properties?: Record<string, unknown>;
  /** For servers relaying events of a browser or app: that device's user agent and address. */
  context?: { user_agent?: string; ip?: string; locale?: string };
}

/** What the server answered for one batch; `retryAfterS` from the Retry-After header. */
export interface SendResult {
  readonly status: number;
  readonly retryAfterS?: number | undefined;
  readonly body?: unknown;
}

/** Sends one batch; throws on a network error (which is retried like a 5xx). */
export type Transport = (events: readonly SdkEvent[]) => Promise<SendResult>;

/** Where the unsent queue lives: memory in Node, localStorage in a browser so a reload loses nothing. */
export interface QueueStore {
  load(): SdkEvent[];
  save(events: readonly SdkEvent[]): void;
}

/**
 * Why events were given up on: a 4xx the server will never accept, 5xx retries exhausted, or
 * (`queue_full`) the oldest of more unsent events than the queue's byte bound holds.
 */
export interface DeliveryFailure {
  readonly events: readonly SdkEvent[];
  readonly status: number | 'queue_full';
  readonly reason: string;
}
