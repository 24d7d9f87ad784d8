// Every LATCHKEY_* setting the server reads is documented once in docs/deployment.md's configuration table, and the
// table documents no variable the server does not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENV_NAMES } from '../../src/config/config.ts';

const DEPLOYMENT = new URL('../../../../docs/deployment.md', import.meta.url);

/** The LATCHKEY_* names in the first column of the table under "## Configuration", one entry per mention. */
function documentedNames(markdown: string): string[] {
  const section = markdown.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => row.split('|')[1]!.match(/LATCHKEY_[A-Z0-9_]+/g) ?? []);
}

test('docs/deployment.md documents every environment setting exactly once, and no other', () => {
  const documented = documentedNames(readFileSync(DEPLOYMENT, 'utf8'));
  assert.ok(documented.length > 0, 'the configuration table was found');
  const twice = documented.filter((name, i) => documented.indexOf(name) !== i);
  assert.deepEqual(twice, [], 'documented more than once');
  const read = Object.values(ENV_NAMES);
  assert.deepEqual(read.filter((name) => !documented.includes(name)), [], 'read by the server but not documented');
  assert.deepEqual(documented.filter((name) => !read.includes(name)), [], 'documented but not read by the server');
});

test('the finder sees a variable missing from the table and a variable that is documented twice', () => {
  const table = '## Configuration\n\n| Variable | Meaning |\n| --- | --- |\n| `LATCHKEY_A`, `LATCHKEY_B` | x |\n| `LATCHKEY_A` | y |\n\n## Next\n| `LATCHKEY_C` | z |\n';
  assert.deepEqual(documentedNames(table), ['LATCHKEY_A', 'LATCHKEY_B', 'LATCHKEY_A']);
});
