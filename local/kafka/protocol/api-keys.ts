/** The APIs the broker serves and the versions it implements correctly (all non-flexible but ApiVersions v3). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
} as const;

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Versions advertised in ApiVersions. Flexible versions (KIP-482) are left out on purpose:
 * clients then pick the newest classic encoding, which both kafkajs and librdkafka speak.
 */
export const SUPPORTED_VERSIONS: ReadonlyMap<number, VersionRange> = new Map([
  // v0-v2 are advertised only because librdkafka <= 2.11 checks for Produce v0 before it
  // compresses with gzip, snappy or lz4; their old message formats are refused per partition.
  [ApiKey.Produce, { min: 0, max: 8 }],
  [ApiKey.Fetch, { min: 4, max: 11 }],
  [ApiKey.ListOffsets, { min: 1, max: 5 }],
  [ApiKey.Metadata, { min: 0, max: 8 }],
  [ApiKey.OffsetCommit, { min: 2, max: 7 }],
  [ApiKey.OffsetFetch, { min: 1, max: 5 }],
  [ApiKey.FindCoordinator, { min: 0, max: 2 }],
  [ApiKey.JoinGroup, { min: 0, max: 5 }],
  [ApiKey.Heartbeat, { min: 0, max: 3 }],
  [ApiKey.LeaveGroup, { min: 0, max: 2 }],
  [ApiKey.SyncGroup, { min: 0, max: 3 }],
  [ApiKey.DescribeGroups, { min: 0, max: 4 }],
  [ApiKey.ListGroups, { min: 0, max: 2 }],
  [ApiKey.ApiVersions, { min: 0, max: 3 }],
  [ApiKey.CreateTopics, { min: 0, max: 4 }],
  [ApiKey.DeleteTopics, { min: 0, max: 3 }],
  [ApiKey.InitProducerId, { min: 0, max: 1 }],
  [ApiKey.AddPartitionsToTxn, { min: 0, max: 1 }],
  [ApiKey.AddOffsetsToTxn, { min: 0, max: 1 }],
  [ApiKey.EndTxn, { min: 0, max: 1 }],
  [ApiKey.TxnOffsetCommit, { min: 0, max: 2 }],
  [ApiKey.DescribeConfigs, { min: 0, max: 2 }],
]);

/** Requests whose header carries tagged fields (request header v2) at the versions served. */
export function isFlexibleRequest(apiKey: number, version: number): boolean {
  return apiKey === ApiKey.ApiVersions && version >= 3;
}
