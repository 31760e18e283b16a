import type { Broker } from '../broker.ts';
import type { Reader } from '../protocol/reader.ts';
import type { Writer } from '../protocol/writer.ts';

export interface RequestContext {
  readonly broker: Broker;
  readonly apiKey: number;
  readonly version: number;
  readonly correlationId: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** Where this client reached the broker; Metadata and FindCoordinator send it back. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
}

/** A handler returns the response body, or null when the protocol wants no response (acks=0). */
export type Handler = (ctx: RequestContext, r: Reader) => Writer | null | Promise<Writer | null>;
