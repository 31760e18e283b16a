import { FAULTS, type ScenarioName } from './fault-config.ts';
import type { FaultStack } from './fault-stack.ts';
import { importDuringLiveLoad } from './history-import.ts';
import type { ScenarioOptions } from './scenario.ts';
import { seeded } from './seeded-random.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const outage =
  (component: string) =>
  async (s: FaultStack): Promise<string> => {
    await s.supervisor.stop(component);
    await sleep(FAULTS.outageMs);
    await s.supervisor.start(component);
    await s.healthy(component);
    return `${component} down ${FAULTS.outageMs / 1000} s under load`;
  };

export interface FaultScenario extends ScenarioOptions {
  readonly id:
    | ScenarioName
    | 'broker-kill'
    | 'redis-outage'
    | 'nlp-kill'
    | 'client-retries'
    | 'history-import';
  readonly title: string;
  /** Ingest must keep accepting everything through the fault (true for faults behind the stream). */
  readonly ingestUnaffected: boolean;
}

export const SCENARIOS: readonly FaultScenario[] = [
  {
    id: 'client-retries',
    title: 'clients send 10% of batches again 1-3 times, seconds to minutes later, some re-split',
    name: 'client retries',
    seed: 9107,
    ingestUnaffected: true,
    resend: {
      share: 0.1,
      maxCopies: 3,
      // "Minutes later" is minutes in the full run; the short run keeps within npm test's budget.
      delaysMs: FAULTS.full ? [1000, 5000, 60_000, 180_000] : [500, 3000, 15_000],
      splitShare: 0.3,
    },
    async fault() {
      await sleep(FAULTS.full ? 30_000 : 8000);
      return 'copies reach events.raw at new offsets with the same event ids';
    },
  },
  {
    id: 'history-import',
    title:
      'history imported during live load: live events keep reaching ClickHouse, every old day counts right, a re-import changes nothing',
    name: `history import x2 during live load`,
    seed: 9108,
    ingestUnaffected: true,
    importsHistory: true,
    fault: (s) =>
      importDuringLiveLoad(s, {
        count: FAULTS.full ? 100_000 : 10_000,
        seed: 9108,
        // The short run reads a year at each end and one between; the full run all twenty.
        years: FAULTS.full ? Array.from({ length: 20 }, (_, i) => 1996 + i) : [1996, 2006, 2015],
        maxLiveDelayMs: 30_000,
        settleMs: FAULTS.full ? 600_000 : 240_000,
      }),
  },
  {
    id: 'aggregator-kills',
    title: `the mapped functions (aggregators) killed with -9 ${FAULTS.aggregatorKills} times at random points`,
    name: `aggregators kill -9 x${FAULTS.aggregatorKills}`,
    seed: 9102,
    ingestUnaffected: true,
    async fault(s) {
      const random = seeded(0x5eed);
      for (let i = 0; i < FAULTS.aggregatorKills; i++) {
        // Anywhere from mid-batch to between batches: up to two batching windows of uptime.
        await sleep(100 + random() * 1200);
        await s.killAndRestart('esm');
      }
      return `realtime, windows, funnels, warehouse and archive process killed ${FAULTS.aggregatorKills} times`;
    },
  },
  {
    id: 'broker-kill',
    title: 'the broker killed with -9 under acks=all load and restarted',
    name: 'broker kill -9',
    seed: 9101,
    ingestUnaffected: false,
    async fault(s) {
      const down = Date.now();
      await s.killHard('kafka');
      return `kill -9 at ${FAULTS.rate} events/s, broker back in ${((Date.now() - down) / 1000).toFixed(1)} s`;
    },
  },
  {
    id: 'redis-outage',
    title: 'redis-server stopped: ingest keeps accepting, hot metrics catch up',
    name: 'redis-server down',
    seed: 9103,
    ingestUnaffected: true,
    fault: outage('redis'),
  },
  {
    id: 'clickhouse-outage',
    title: 'the ClickHouse endpoint down: the warehouse loader retries',
    name: 'ClickHouse down',
    seed: 9104,
    ingestUnaffected: true,
    fault: outage('clickhouse'),
  },
  {
    id: 's3-outage',
    title: 'S3 down: the archive retries',
    name: 'S3 down',
    seed: 9105,
    ingestUnaffected: true,
    fault: outage('s3'),
  },
  {
    id: 'nlp-kill',
    title: 'the NLP worker killed mid-batch: every accepted tweet enriched exactly once',
    name: `NLP worker kill -9 x${FAULTS.full ? 10 : 2}`,
    seed: 9106,
    tweetsRate: 100,
    ingestUnaffected: true,
    async fault(s) {
      const kills = FAULTS.full ? 10 : 2;
      for (let i = 0; i < kills; i++) {
        await sleep(1500);
        await s.killHard('nlp');
      }
      return `worker killed ${kills} times while tweets.raw was being enriched`;
    },
  },
];
