import type { ResendPolicy } from './client-retries.ts';
import { FAULTS } from './fault-config.ts';
import type { FaultStack } from './fault-stack.ts';
import { type FaultRow, recordRow } from './fault-table.ts';
import { type DriveResult, drive } from './shop-driver.ts';
import { coldTally, hotTally, readRawTruth, type TierTally, tweetTally, warmTally } from './truth.ts';

export interface ScenarioOptions {
  readonly name: string;
  readonly seed: number;
  readonly tweetsRate?: number;
  /** Seconds of clean load before the fault, and after it. */
  readonly leadS?: number;
  readonly tailS?: number;
  /** Batches a retrying client sends again. @default none */
  readonly resend?: ResendPolicy;
  /**
   * The fault imports history: events dated before the scenario starts are left out of the live
   * truth, and the scenario checks them itself. @default false
   */
  readonly importsHistory?: boolean;
  /** Does the damage while load runs; resolves when the fault is over (all parts restarted). */
  fault(stack: FaultStack): Promise<string>;
}

export interface ScenarioOutcome {
  readonly row: FaultRow;
  readonly load: DriveResult;
  readonly tiers: {
    hot: TierTally;
    warm: TierTally;
    cold: TierTally & { copies: number };
    tweets?: TierTally;
  };
  readonly lostAtIngest: number;
  /** Records on events.raw beyond the first of their event id. */
  readonly topicDuplicates: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PREAMBLE = `# Fault table

Written by \`npm run test:faults\` (test/faults, SPATE_FAULTS=full): each scenario runs seeded load
through \`spate local\`, breaks one part, then compares every tier with the records on events.raw.
lost and duplicated sum over the hot (Redis counters per minute and type), warm (ClickHouse rows
by event id) and cold (S3 archive by event id) tiers, against the events on events.raw each
counted once, plus accepted events missing from events.raw; for the NLP row, accepted tweets on
tweets.enriched.
recovery s is the time from the fault's end until every tier matched the truth.`;

/**
 * Runs load, applies the fault, stops the load, then waits for every tier to match the truth.
 * The row is printed, and in the full run written to bench/FAULTS.md.
 */
export async function runScenario(stack: FaultStack, options: ScenarioOptions): Promise<ScenarioOutcome> {
  const { endpoints } = stack;
  // A minute of slack: the live load's events are dated by this same clock, history years back.
  const liveSinceMs = options.importsHistory ? Date.now() - 60_000 : 0;
  const load = drive({
    endpoint: endpoints.http,
    writeKey: endpoints.writeKey,
    seed: options.seed,
    rate: FAULTS.rate,
    tweetsRate: options.tweetsRate,
    resend: options.resend,
  });
  await sleep((options.leadS ?? 3) * 1000);
  const note = await options.fault(stack);
  const faultEnded = Date.now();
  await sleep((options.tailS ?? 3) * 1000);
  const result = await load.stop();

  const deadline = Date.now() + FAULTS.settleTimeoutMs;
  let outcome: Omit<ScenarioOutcome, 'row'>;
  let settledAt = Date.now();
  for (;;) {
    const truth = await readRawTruth(endpoints, liveSinceMs);
    const ids = new Set(truth.events.map((r) => r.eventId));
    let lostAtIngest = 0;
    for (const id of result.acceptedIds) if (!ids.has(id)) lostAtIngest += 1;
    const [hot, warm, cold, tweets] = await Promise.all([
      hotTally(endpoints, truth).catch(() => failed(truth.records.length)),
      warmTally(endpoints, truth).catch(() => failed(truth.records.length)),
      coldTally(endpoints, truth).catch(() => ({ ...failed(truth.records.length), copies: 0 })),
      options.tweetsRate ? tweetTally(endpoints, result.acceptedTweetIds) : Promise.resolve(undefined),
    ]);
    outcome = {
      load: result,
      tiers: { hot, warm, cold, tweets },
      lostAtIngest,
      topicDuplicates: truth.topicDuplicates,
    };
    settledAt = Date.now();
    const all = [hot, warm, cold, ...(tweets ? [tweets] : [])];
    const clean = all.every((t) => t.lost === 0 && t.duplicated === 0) && lostAtIngest === 0;
    if ((clean && truth.events.length >= result.accepted) || Date.now() > deadline) break;
    await sleep(2000);
  }
  const { hot, warm, cold, tweets } = outcome.tiers;
  const tiers = [hot, warm, cold, ...(tweets ? [tweets] : [])];
  const row: FaultRow = {
    scenario: options.name,
    sent: result.sent,
    accepted: result.accepted,
    counted: `${hot.counted}/${warm.counted}/${cold.counted}${tweets ? `; tweets ${tweets.counted}/${result.acceptedTweetIds.size}` : ''}`,
    lost: outcome.lostAtIngest + tiers.reduce((s, t) => s + t.lost, 0),
    duplicated: tiers.reduce((s, t) => s + t.duplicated, 0),
    recoveryS: (settledAt - faultEnded) / 1000,
    note: `${note}${result.copiesSent ? `; ${result.copiesAccepted} copies of accepted events sent again` : ''}${cold.copies ? `; ${cold.copies} archived copies (read once)` : ''}`,
  };
  const table = recordRow(FAULTS.tableFile, row, PREAMBLE);
  console.log(`\n${table}\n`);
  return { ...outcome, row };
}

function failed(expected: number): TierTally {
  return { counted: 0, lost: expected, duplicated: 0 };
}
