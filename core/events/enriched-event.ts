import type { Order, Page, Product } from './event-schema.ts';
import type { EventType } from './event-types.ts';

/** Where the event entered: Spate's own API or the Segment-compatible one. */
export type EventSource = 'spate' | 'segment';

export interface UserAgentInfo {
  readonly browser: string | null;
  readonly browser_version: string | null;
  readonly os: string | null;
  readonly device_type: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot' | 'unknown';
}

export interface Attribution {
  /** `google`, `newsletter`, `(direct)`, ... */
  readonly source: string;
  /** `organic`, `cpc`, `referral`, `social`, `email`, `(none)`, ... */
  readonly medium: string;
  readonly campaign: string | null;
  readonly term: string | null;
  readonly content: string | null;
  /** Advertising click ids found on the landing URL (gclid, fbclid, msclkid, ...). */
  readonly click_ids: Readonly<Record<string, string>>;
}

export interface Geo {
  readonly country: string | null;
  readonly region: string | null;
  readonly city: string | null;
}

/**
 * The value of a record on events.raw: what every consumer downstream reads. Field names are
 * snake_case like the incoming schema; `timestamp` is already skew-corrected.
 */
export interface EnrichedEvent {
  readonly event_id: string;
  readonly type: EventType;
  readonly project: string;
  readonly source: EventSource;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly session_id: string | null;
  readonly timestamp: string;
  readonly received_at: string;
  readonly sent_at: string | null;
  /** Why `timestamp` was replaced by `received_at`, when it was. */
  readonly timestamp_flag: 'future' | 'before_2000' | null;
  readonly page: Page | null;
  readonly product: Product | null;
  readonly order: Order | null;
  readonly properties: Readonly<Record<string, unknown>> | null;
  readonly user_agent: UserAgentInfo;
  readonly is_bot: boolean;
  /** Anonymised: last IPv4 octet zeroed, IPv6 cut to /48. The raw address is never stored. */
  readonly ip: string | null;
  readonly geo: Geo | null;
  readonly attribution: Attribution;
  readonly locale: string | null;
  /** Segment's user traits on identify, group traits on group. */
  readonly traits: Readonly<Record<string, unknown>> | null;
}
