/**
 * The limits of one ingest request. Each is named in the error a client receives when it is
 * crossed, so the numbers here are part of the public API.
 */
export interface IngestLimits {
  /** Body bytes after gzip decoding. */
  readonly maxBodyBytes: number;
  /** Decoded bytes per compressed byte; beyond it a body is treated as a decompression bomb. */
  readonly maxDecompressionRatio: number;
  readonly maxEventsPerRequest: number;
  /** Serialised bytes of one event. */
  readonly maxEventBytes: number;
  /** Nesting of objects/arrays inside `properties` (an object of scalars is depth 1). */
  readonly maxPropertiesDepth: number;
}

export const INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 1024 * 1024,
  maxDecompressionRatio: 100,
  maxEventsPerRequest: 1000,
  maxEventBytes: 32 * 1024,
  maxPropertiesDepth: 8,
};
