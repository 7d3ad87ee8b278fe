#!/usr/bin/env node
// Runs the TypeScript command line in this same process through tsx's
// loader, so signals such as SIGTERM reach the server directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
