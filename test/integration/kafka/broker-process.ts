import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../local/kafka/main.ts', import.meta.url));

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
}

/** The broker as `spate local` runs it: its own process, ready when it prints its JSON line. */
export async function spawnBroker(dataDir: string, port = 0): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--port', String(port), '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readyPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${err}`)));
  });
  return { child, port: readyPort, stderr: () => err, exited };
}
