// The server's direction of flow (design.md "Inside the server"): route (http/) -> endpoint -> domain -> store.
// Only http/ and cli/ (and the package entry points that re-export createServer) may import from http/; the audit
// (audit/) is a separate tool and imports nothing from http/ either.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { importedSourceModules, listModules, SRC } from './source-imports.ts';

/** Package entry points: they re-export createServer (http/app.ts) and nothing else of http/. */
const ENTRY_POINTS = new Set(['index.ts']);

const mayImportHttp = (module: string) => module.startsWith('http/') || module.startsWith('cli/') || ENTRY_POINTS.has(module);

export function httpImportsOutsideHttp(modules: string[], importsOf: (module: string) => string[]): string[] {
  const offences: string[] = [];
  for (const module of modules) {
    if (mayImportHttp(module)) continue;
    for (const imported of importsOf(module)) {
      if (imported.startsWith('http/')) offences.push(`${module} imports ${imported}`);
    }
  }
  return offences;
}

test('no module outside http/ and cli/ imports from http/ (domain, endpoints, audit, wiring)', () => {
  const modules = listModules(SRC);
  assert.ok(modules.length > 50 && modules.includes('endpoints/token.ts'), 'the source tree was found');
  assert.deepEqual(httpImportsOutsideHttp(modules, (m) => importedSourceModules(join(SRC, m))), []);
});

test('the layering check catches an import into http/ (it can fail)', () => {
  const graph: Record<string, string[]> = {
    'endpoints/token.ts': ['oauth/form-params.ts'],
    'audit/probe-client.ts': ['http/cookies.ts'],
    'grants/registry.ts': ['http/routes.ts'],
    'cli/start-command.ts': ['http/app.ts'],
    'http/app.ts': ['http/routes.ts'],
  };
  assert.deepEqual(httpImportsOutsideHttp(Object.keys(graph), (m) => graph[m] ?? []),
    ['audit/probe-client.ts imports http/cookies.ts', 'grants/registry.ts imports http/routes.ts']);
});

test('the entry point re-exports only createServer from http/', () => {
  assert.deepEqual(importedSourceModules(join(SRC, 'index.ts')).filter((m) => m.startsWith('http/')), ['http/app.ts']);
});
