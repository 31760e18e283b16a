#!/usr/bin/env node
// The `spate` command. The project is TypeScript run as-is: register tsx's loader, then hand over.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
