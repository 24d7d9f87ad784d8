// Structure rules both kits' tests assert: the layering of core, adapters and entry points, and which source
// modules no test imports. Read from the files as text, so a new import that breaks a rule fails the kit's test.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Frameworks only an adapter may name. */
const FRAMEWORKS = new Set(['fastify', 'express', 'express-serve-static-core']);
/** Entry points of a kit; each is a file of re-exports (index.ts the core's public surface, the others adapters). */
const ADAPTER_ENTRIES = new Set(['fastify.ts', 'express.ts']);

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier a file names: static and dynamic imports, re-exports, and `declare module` augmentations. */
export function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const pattern of [/\bfrom\s+'([^']+)'/g, /\bimport\s+'([^']+)'/g, /\bimport\(\s*'([^']+)'\s*\)/g, /\bdeclare\s+module\s+'([^']+)'/g]) {
    for (const match of text.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

type Layer = 'core' | 'adapter' | 'public-entry' | 'adapter-entry';

function layerOf(srcDir: string, file: string): Layer {
  const path = relative(srcDir, file);
  if (path === 'index.ts') return 'public-entry';
  if (ADAPTER_ENTRIES.has(path)) return 'adapter-entry';
  return path.startsWith('adapters/') ? 'adapter' : 'core';
}

/**
 * The kit layering, as violations ("file: what it may not import"):
 * - core modules never import an adapter, an entry point or a framework;
 * - adapters import only the core's public surface (`src/index.ts`), each other, and packages;
 * - `index.ts` re-exports core modules only, and `fastify.ts`/`express.ts` re-export adapters only.
 */
export function layeringViolations(packageDir: string): string[] {
  const srcDir = join(packageDir, 'src');
  const violations: string[] = [];
  for (const file of filesBelow(srcDir)) {
    const layer = layerOf(srcDir, file);
    const name = relative(packageDir, file);
    for (const specifier of specifiers(file)) {
      if (!specifier.startsWith('.')) {
        if (FRAMEWORKS.has(packageName(specifier)) && layer !== 'adapter') violations.push(`${name}: framework ${specifier}`);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      const targetLayer = layerOf(srcDir, target);
      const targetName = relative(packageDir, target);
      const allowed = layer === 'core' ? targetLayer === 'core'
        : layer === 'adapter' ? targetLayer === 'adapter' || targetLayer === 'public-entry'
          : layer === 'public-entry' ? targetLayer === 'core'
            : targetLayer === 'adapter';
      if (!allowed) violations.push(`${name}: ${targetName}`);
    }
  }
  return violations.sort();
}

/** Source modules (relative to the package) that no file under test/ imports directly. */
export function modulesNoTestImports(packageDir: string): string[] {
  const srcDir = join(packageDir, 'src');
  const imported = new Set<string>();
  for (const file of filesBelow(join(packageDir, 'test'))) {
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.')) imported.add(relative(packageDir, resolve(dirname(file), specifier)));
    }
  }
  return filesBelow(srcDir).map((file) => relative(packageDir, file)).filter((module) => !imported.has(module)).sort();
}
