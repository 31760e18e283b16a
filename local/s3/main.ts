import { parseArgs } from 'node:util';
import { announceReady, onShutdown } from '../process-lifecycle.ts';
import { startLocalS3 } from './index.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
});
if (!values.port || !values['data-dir']) {
  process.stderr.write('usage: local/s3/main.ts --port N --data-dir DIR\n');
  process.exit(2);
}

const s3 = await startLocalS3({ port: Number(values.port), dataDir: values['data-dir'] });
onShutdown(() => s3.close());
announceReady({ port: s3.port, endpoint: s3.endpoint });
