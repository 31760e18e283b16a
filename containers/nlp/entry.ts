// The container's entry point: the worker alone, without the whole `spate` CLI.
import { runWorkerProcess } from './main.ts';

await runWorkerProcess();
