import { announceReady, onShutdown } from '../process-lifecycle.ts';
import { readEndpointConfig } from './endpoint-config.ts';
import { startClickHouseEndpoint } from './index.ts';

let config: ReturnType<typeof readEndpointConfig>;
try {
  config = readEndpointConfig(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const endpoint = await startClickHouseEndpoint({
  ...config,
  // A dead engine thread leaves nothing to serve; exiting lets the supervisor restart us.
  onEngineFailure: (reason) => {
    process.stderr.write(`clickhouse endpoint: ${reason}\n`);
    process.exit(1);
  },
});
onShutdown(() => endpoint.close());
announceReady({ port: endpoint.port, url: endpoint.url, dataDir: config.dataDir });
