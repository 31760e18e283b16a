import { Command } from 'commander';
import { registerCommands } from './commands.ts';

const program = new Command('spate')
  .description('Spate: real-time event analytics. Runs the local stack, its parts and its tools.')
  .showHelpAfterError();

registerCommands(program);

await program.parseAsync(process.argv);
