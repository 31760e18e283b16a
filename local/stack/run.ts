import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../gateway/index.ts';
import type { HealthReport, RunningGateway } from '../gateway/types.ts';
import { ensureRedisServer } from '../redis/install.ts';
import { Supervisor } from '../supervisor/supervisor.ts';
import {
  demoTrafficComponent,
  mappedFunctionsComponent,
  nlpWorkerComponent,
  serverComponents,
} from './components.ts';
import { banner, describeEndpoints, type LocalEndpoints, writeEndpoints } from './endpoints.ts';
import { dashboardDir, functionEnvironment, loadHttpRoutes, loadWebSocketOptions } from './functions.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import type { LocalSettings } from './settings.ts';

export interface RunningStack {
  readonly endpoints: LocalEndpoints;
  /** The child processes, for fault tests that kill, stop and start them by name. */
  readonly supervisor: Supervisor;
  stop(): Promise<void>;
}

/**
 * `spate local`: every server of the local mirror as a supervised child process, then the
 * gateway in this process, then `.local/endpoints.json` once all of it answers.
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
  await supervisor.startAll(serverComponents(settings, redisServer));
  const functionEnv = functionEnvironment(settings, secrets);

  // This process hosts the HTTP API's functions, so it gets their environment, as Lambda would;
  // its output is the user's terminal, so the functions speak only of errors there.
  Object.assign(process.env, functionEnv, { POWERTOOLS_LOG_LEVEL: 'ERROR' });

  let gateway: RunningGateway | undefined;
  try {
    gateway = await startGateway({
      httpRoutes: await loadHttpRoutes(),
      webSocket: await loadWebSocketOptions(),
      staticDir: dashboardDir(settings),
      httpPort: settings.ports.gateway,
      wsPort: settings.ports.websocket,
      health: () => healthReport(supervisor),
      // Browser apps on any origin send events with the SDK, as they would to API Gateway with CORS on.
      cors: { allowOrigins: ['*'] },
      log: (line) => say(line),
    });
    // The mapped functions start last: the broadcaster among them pushes through the gateway.
    await supervisor.startAll([
      mappedFunctionsComponent(settings, functionEnv),
      nlpWorkerComponent(settings),
    ]);
  } catch (err) {
    await gateway?.close();
    await supervisor.stopAll();
    throw err;
  }

  const endpoints = describeEndpoints(settings, secrets, gateway);
  const file = writeEndpoints(settings.dataDir, endpoints);
  if (settings.demo) await supervisor.startAll([demoTrafficComponent(settings, startedAt % 1_000_000)]);
  say(banner(endpoints, file, Date.now() - startedAt, settings.demo));

  return {
    endpoints,
    supervisor,
    async stop() {
      await gateway?.close();
      await supervisor.stopAll();
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
