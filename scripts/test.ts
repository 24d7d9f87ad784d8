// `npm test` after type checking: every *.test.ts in the workspace through node:test, or only the files given
// (`npm test -- packages/server/test/cli/cli.test.ts`). Child processes inherit NODE_OPTIONS: the workspace's
// `latchkey-source` condition (.npmrc) and, for Node 22.14-22.17, type stripping.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const given = process.argv.slice(2);
const files = given.length > 0 ? given : globSync(['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'test/**/*.test.ts'])
  .filter((file) => !file.includes('node_modules'))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-strip-types', '--disable-warning=ExperimentalWarning'].filter(Boolean).join(' ') },
});
process.exit(result.status ?? 1);
