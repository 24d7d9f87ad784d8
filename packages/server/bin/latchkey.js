#!/usr/bin/env node
// The `latchkey` executable. Installed from npm it runs the compiled dist/; in this repository (where src/ exists) it
// runs the TypeScript sources under the workspace's `latchkey-source` condition (docs/decisions.md, "The build").
// Node 22.14-22.17 need a flag for type stripping: in the repository it then starts itself once more with it.
import './check-node-version.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
const fromSource = existsSync(source);

function resolvesToSource() {
  try {
    return import.meta.resolve('@latchkey/sqlite').endsWith('.ts');
  } catch {
    return false;
  }
}

const needed = [];
if (fromSource && !process.features.typescript) needed.push('--experimental-strip-types');
if (fromSource && !resolvesToSource()) needed.push('--conditions=latchkey-source');
const flags = needed.filter((flag) => !process.execArgv.includes(flag));

if (flags.length > 0) {
  const args = [...process.execArgv, ...flags, '--disable-warning=ExperimentalWarning', fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
  });
} else {
  // Node's on-disk cache of compiled code (its default directory under the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1
  // turns it off): every start after the first skips compiling the server's modules, faster and with less memory.
  module.enableCompileCache?.();
  const { processIo, runCli } = await import(fromSource ? source.href : '../dist/cli/main.js');
  process.exitCode = await runCli(process.argv.slice(2), processIo);
}
