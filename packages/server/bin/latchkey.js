#!/usr/bin/env -S node --experimental-strip-types --experimental-sqlite --disable-warning=ExperimentalWarning
// The `latchkey` executable. The flags let Node 22.12-22.17 run TypeScript and node:sqlite; newer Node ignores them.
import { processIo, runCli } from '../src/cli/main.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo);
