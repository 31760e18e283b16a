import { announceReady, onShutdown } from '../../io/process/lifecycle.ts';
import { readNlpWorkerConfig } from './config.ts';
import { fetchModelFromS3 } from './model-source.ts';
import { startNlpWorker } from './worker.ts';

/** The worker process: `spate nlp` locally, the container's command on ECS. */
export async function runWorkerProcess(): Promise<void> {
  let config = readNlpWorkerConfig(process.env);
  if (config.modelS3Uri !== undefined) {
    const modelDir = await fetchModelFromS3(
      config.modelS3Uri,
      config.modelDir ?? '/tmp/spate-nlp-model',
      config.modelSha256,
    );
    config = { ...config, modelDir };
  }
  const log = {
    info: (m: string) => process.stderr.write(`${JSON.stringify({ level: 'info', message: m })}\n`),
    error: (m: string) => process.stderr.write(`${JSON.stringify({ level: 'error', message: m })}\n`),
  };
  const worker = await startNlpWorker(config, log);
  onShutdown(() => worker.stop());
  announceReady({
    port: worker.metricsPort,
    component: 'nlp',
    backend: config.backend,
    device: worker.device,
  });
}
