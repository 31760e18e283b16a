import { defineAggregatorMapping, type MappingDefinition } from '../../core/mappings.ts';
import { TOPICS } from '../../core/topics.ts';

/**
 * The broadcaster's event source mapping: its own consumer group on events.raw, a 500 ms window
 * so a busy second costs two invocations, not thousands. Belongs in core/mappings.ts MAPPINGS.
 */
export const BROADCAST_MAPPING: MappingDefinition = {
  ...defineAggregatorMapping('broadcast', TOPICS.eventsRaw.name, 5000, 500),
  // A broadcaster that starts late has nothing to say about old events.
  startingPosition: 'LATEST',
  // Old numbers are worthless on a live screen; failures are logged, not retried for long.
  maxRetries: 0,
};
