// Reads the import graph of packages/server/src as text (static `from '…'` and dynamic `import('…')`), for the
// architecture tests: which module imports which, by path relative to src/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
export const TEST = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .ts file below `root`, as paths relative to it with forward slashes. */
export function listModules(root: string): string[] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** The relative import specifiers of a file (package imports are left out). */
export function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.[^']*)'/gm)].map((m) => m[1] ?? '');
  return specifiers.filter((s) => s !== '');
}

/** The modules of src/ that `file` imports, as paths relative to src/ (outside src/ they start with ../). */
export function importedSourceModules(file: string): string[] {
  return relativeImports(file).map((specifier) => relative(SRC, normalize(join(dirname(file), specifier))).split('\\').join('/'));
}
