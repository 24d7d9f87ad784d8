// Smoke test of the whole bench: the CLI starts all three servers (four with LATCHKEY_TEST_POSTGRES_URL: Latchkey on
// PostgreSQL too), verifies each, loads each for one second and writes its JSON result. Structure only: no speed
// number is asserted, ever.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseBenchArgs, UsageError } from '../src/bench-options.ts';
import type { BenchResult } from '../src/run-bench.ts';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));
const WITH_POSTGRES = Boolean(process.env.LATCHKEY_TEST_POSTGRES_URL);
const EXPECTED = WITH_POSTGRES ? ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling'] : ['latchkey', 'oidc-provider', 'ceiling'];
if (!WITH_POSTGRES) console.log('# bench smoke test without the latchkey-postgres row: LATCHKEY_TEST_POSTGRES_URL not set');

test(`npm run bench -- --duration 1 --warmup 0 measures ${EXPECTED.join(', ')} with no failed request`, { timeout: 75_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-smoke-'));
  try {
    const output = join(dir, 'result.json');
    const run = spawnSync(process.execPath, [RUN, '--duration', '1', '--warmup', '0', '--connections', '4', '--json', '--output', output], {
      encoding: 'utf8', timeout: 70_000,
    });
    assert.equal(run.status, 0, `bench exited ${run.status}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    const printed = JSON.parse(run.stdout) as BenchResult;
    const written = JSON.parse(readFileSync(output, 'utf8')) as BenchResult;
    assert.deepEqual(written.servers.map((s) => s.name), printed.servers.map((s) => s.name));

    assert.deepEqual(printed.servers.map((s) => s.name), EXPECTED);
    for (const server of printed.servers) {
      assert.ok(server.result.requests > 0, `${server.name} answered no request`);
      assert.ok(server.result.requestsPerSecond > 0, `${server.name}: requests/s`);
      assert.equal(server.result.non2xx, 0, `${server.name}: non-2xx responses ${JSON.stringify(server.result.statusCodes)}`);
      assert.equal(server.result.errors, 0, `${server.name}: connection errors`);
      assert.ok(server.result.p50 > 0 && server.result.p99 >= server.result.p50, `${server.name}: latency percentiles`);
      assert.equal(server.token.alg, 'ES256');
      assert.equal(server.token.typ, 'at+jwt');
      assert.equal(server.warmup, null);
      assert.ok(server.cpuMicrosPerRequest > 0, `${server.name}: server CPU time per request`);
      assert.deepEqual(server.roundsRequestsPerSecond, [server.result.requestsPerSecond]);
    }
    assert.deepEqual(printed.problems, []);
    for (const ratio of [printed.ratios.latchkeyOverOidcProvider, printed.ratios.latchkeyOverCeiling]) {
      assert.ok(ratio && typeof ratio.value === 'number' && ratio.value > 0 && typeof ratio.target === 'number');
    }
    assert.ok((printed.cpuRatios.latchkeyOverOidcProvider ?? 0) > 0 && (printed.cpuRatios.latchkeyOverCeiling ?? 0) > 0);
    assert.equal(printed.settings.durationSeconds, 1);
    assert.equal(printed.settings.connections, 4);
    assert.match(printed.machine.node, /^v\d+/);
    assert.ok(printed.machine.cores > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench flags: defaults, --only keeps the canonical order, --postgres adds a row, bad values are usage errors', () => {
  const defaults = parseBenchArgs([], {});
  assert.notEqual(defaults, 'help');
  if (defaults === 'help') return;
  assert.equal(defaults.duration, 10);
  assert.equal(defaults.warmup, 3);
  assert.equal(defaults.connections, 10);
  assert.equal(defaults.pipelining, 1);
  assert.deepEqual(defaults.only, ['latchkey', 'oidc-provider', 'ceiling']);
  assert.equal(defaults.postgresUrl, null);

  const pg = 'postgres://postgres@127.0.0.1:5432/test';
  for (const withPostgres of [parseBenchArgs(['--postgres', pg], {}), parseBenchArgs([], { LATCHKEY_TEST_POSTGRES_URL: pg })]) {
    assert.ok(withPostgres !== 'help');
    assert.deepEqual(withPostgres.only, ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling']);
    assert.equal(withPostgres.postgresUrl, pg);
  }
  assert.throws(() => parseBenchArgs(['--only', 'latchkey-postgres'], {}), /needs --postgres URL/);
  assert.throws(() => parseBenchArgs(['--postgres', 'mysql://x'], {}), UsageError);

  const only = parseBenchArgs(['--only', 'ceiling,latchkey', '--no-output'], {});
  assert.ok(only !== 'help');
  assert.deepEqual(only.only, ['latchkey', 'ceiling']);
  assert.equal(only.output, null);

  assert.throws(() => parseBenchArgs(['--only', 'keycloak']), UsageError);
  assert.throws(() => parseBenchArgs(['--duration', '0']), UsageError);
  assert.throws(() => parseBenchArgs(['--frobnicate']), UsageError);
});
