import type { Command } from 'commander';
import { registerBench } from '../bench/cli.ts';
import { registerNlp } from '../containers/nlp/cli.ts';
import { registerReplay } from '../lambdas/replay-cli.ts';
import { registerLoad } from '../load/cli.ts';
import { registerLocal } from '../local/cli.ts';
import { registerBroker } from '../local/kafka/cli.ts';
import { registerCompact } from './compact-cli.ts';
import { registerCost } from './cost/cli.ts';
import { registerDlq } from './dlq-cli.ts';
import { registerImport } from './import/cli.ts';
import { registerPreflight } from './preflight/cli.ts';

/** Each part of the system adds its subcommands here; each gets --help from commander. */
export function registerCommands(program: Command): void {
  registerLocal(program);
  registerBench(program);
  registerBroker(program);
  registerNlp(program);
  registerLoad(program);
  registerReplay(program);
  registerDlq(program);
  registerImport(program);
  registerPreflight(program);
  registerCost(program);
  registerCompact(program);
}
