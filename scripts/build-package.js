// Builds one workspace package (the current directory, or each directory given) into dist/: tsc's own emit of
// ESM JavaScript, .d.ts and source maps (tsconfig.build.json), from a clean dist/ so no file of a deleted source
// survives. Plain JavaScript, so it runs on every supported Node without type stripping (prepack runs it).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const typescriptManifest = createRequire(import.meta.url).resolve('typescript/package.json');
const tsc = resolve(dirname(typescriptManifest), JSON.parse(readFileSync(typescriptManifest, 'utf8')).bin.tsc);
for (const dir of process.argv.length > 2 ? process.argv.slice(2) : ['.']) {
  rmSync(resolve(dir, 'dist'), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', resolve(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
