import { announceReady, onShutdown } from '../process-lifecycle.ts';
import type { BrokerProcessConfig } from './config.ts';
import { startBroker } from './server.ts';

/** Runs the broker as a component process: announce readiness, stop on the supervisor's word. */
export async function runBrokerProcess(config: BrokerProcessConfig): Promise<void> {
  const broker = await startBroker({
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    autoCreate: config.autoCreate,
    defaultPartitions: config.partitions,
  });
  onShutdown(() => broker.close());
  announceReady({ port: broker.port, host: broker.host });
}
