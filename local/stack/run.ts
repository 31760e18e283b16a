import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthReport } from '../gateway/types.ts';
import { ensureRedisServer } from '../redis/install.ts';
import { Supervisor } from '../supervisor/supervisor.ts';
import {
  compactionComponent,
  demoTrafficComponent,
  gatewayComponents,
  mappedFunctionsComponent,
  nlpWorkerComponent,
  serverComponents,
} from './components.ts';
import { banner, describeEndpoints, type LocalEndpoints, writeEndpoints } from './endpoints.ts';
import { dashboardDir, functionEnvironment } from './functions.ts';
import { startHealthServer } from './health-server.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import type { LocalSettings } from './settings.ts';

export interface RunningStack {
  readonly endpoints: LocalEndpoints;
  /** The child processes, for fault tests that kill, stop and start them by name. */
  readonly supervisor: Supervisor;
  stop(): Promise<void>;
}

/**
 * `spate local`: every part of the local mirror as a supervised child process (the servers,
 * then the gateway's HTTP and WebSocket APIs, then the mapped functions and the NLP worker),
 * then `.local/endpoints.json` once all of it answers. This process only supervises.
 */
export async function startLocalStack(
  settings: LocalSettings,
  say: (message: string) => void,
): Promise<RunningStack> {
  const startedAt = Date.now();
  if (settings.reset) {
    say(`--reset: wiping ${settings.dataDir}`);
    rmSync(settings.dataDir, { recursive: true, force: true });
  }
  for (const dir of ['kafka', 'redis', 'clickhouse', 's3', 'logs']) {
    mkdirSync(join(settings.dataDir, dir), { recursive: true });
  }
  const secrets = loadOrCreateSecrets(settings.dataDir);
  const redisServer = ensureRedisServer(process.env.PATH, say);

  const supervisor = new Supervisor(join(settings.dataDir, 'logs'), say);
  const health = await startHealthServer(() => healthReport(supervisor));
  try {
    await supervisor.startAll(serverComponents(settings, redisServer));
    const functionEnv = functionEnvironment(settings, secrets);
    await supervisor.startAll(gatewayComponents(settings, functionEnv, health.url, dashboardDir(settings)));
    // The mapped functions start last: the broadcaster among them pushes through the gateway.
    await supervisor.startAll([
      mappedFunctionsComponent(settings, functionEnv),
      nlpWorkerComponent(settings),
      compactionComponent(settings, functionEnv),
    ]);
  } catch (err) {
    await health.close();
    throw err;
  }

  const endpoints = describeEndpoints(settings, secrets);
  const file = writeEndpoints(settings.dataDir, endpoints);
  if (settings.demo) await supervisor.startAll([demoTrafficComponent(settings, startedAt % 1_000_000)]);
  say(banner(endpoints, file, Date.now() - startedAt, settings.demo));

  return {
    endpoints,
    supervisor,
    async stop() {
      await supervisor.stopAll();
      await health.close();
    },
  };
}

function healthReport(supervisor: Supervisor): HealthReport {
  const report: Record<string, { healthy: boolean; detail?: string }> = {};
  for (const component of supervisor.health()) {
    report[component.name] = {
      healthy: component.state === 'healthy',
      detail:
        component.state === 'healthy'
          ? `pid ${component.pid}${component.port ? `, port ${component.port}` : ''}, ${component.restarts} restarts`
          : `${component.state}${component.lastExit ? ` after it ${component.lastExit}` : ''}; log ${component.logFile}`,
    };
  }
  return report;
}
