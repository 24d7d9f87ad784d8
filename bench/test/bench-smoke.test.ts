// Smoke test of the whole bench: `--scenario all` starts every scenario's servers (Latchkey on PostgreSQL too, with
// LATCHKEY_TEST_POSTGRES_URL), verifies one real answer of each, loads each briefly, and prints every goal's ratio.
// Shapes and correctness only: no speed number is asserted, ever (the machine is shared). About a minute on an idle
// 2-core machine (22 server starts); the timeout leaves room for a loaded one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseBenchArgs, UsageError } from '../src/bench-options.ts';
import { formatReport } from '../src/format-report.ts';
import type { BenchResult } from '../src/run-bench.ts';
import { GOALS, SCENARIO_NAMES } from '../src/scenarios.ts';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));
const WITH_POSTGRES = Boolean(process.env.LATCHKEY_TEST_POSTGRES_URL);
if (!WITH_POSTGRES) console.log('# bench smoke test without latchkey-postgres: LATCHKEY_TEST_POSTGRES_URL not set');
const pg = (names: string[]) => (WITH_POSTGRES ? names : names.filter((n) => n !== 'latchkey-postgres'));

const EXPECTED_SERVERS: Record<string, string[]> = {
  cc: pg(['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling']),
  'cc-info': ['latchkey', 'oidc-provider'],
  'cc-rs256': ['latchkey', 'oidc-provider', 'ceiling'],
  code: pg(['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling']),
  refresh: pg(['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling']),
  introspect: pg(['latchkey', 'latchkey-postgres', 'oidc-provider']),
  verify: ['resource-kit', 'jose'],
  startup: ['latchkey', 'oidc-provider'],
};

test('npm run bench -- --scenario all: every scenario verifies and measures every server, and every goal gets a ratio', { timeout: 400_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-smoke-'));
  try {
    const output = join(dir, 'result.json');
    const run = spawnSync(process.execPath, ['--conditions=latchkey-source', RUN, '--scenario', 'all', '--duration', '0.5', '--warmup', '0', '--connections', '2', '--json', '--output', output], {
      encoding: 'utf8', timeout: 390_000,
    });
    assert.equal(run.status, 0, `bench exited ${run.status}\nstdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-3000)}`);
    const printed = JSON.parse(run.stdout) as BenchResult;
    const written = JSON.parse(readFileSync(output, 'utf8')) as BenchResult;
    assert.deepEqual(written.scenarios.map((s) => s.name), printed.scenarios.map((s) => s.name));
    assert.deepEqual(printed.problems, []);

    assert.deepEqual(printed.scenarios.map((s) => s.name), [...SCENARIO_NAMES]);
    for (const scenario of printed.scenarios) {
      assert.deepEqual(scenario.servers.map((s) => s.name), EXPECTED_SERVERS[scenario.name], scenario.name);
      for (const server of scenario.servers) {
        const where = `${scenario.name} ${server.name}`;
        assert.equal(server.samples.length, 1, where);
        const [sample] = server.samples;
        assert.ok(server.version.length > 0, where);
        for (const [metric, value] of Object.entries(sample!.metrics)) assert.ok(Number.isFinite(value) && value >= 0, `${where}: ${metric} ${value}`);
        if (scenario.name === 'verify') {
          assert.ok(sample!.metrics.verifiesPerSecond! > 0, where);
        } else if (scenario.name === 'startup') {
          assert.ok(sample!.metrics.startupMs! > 0 && sample!.metrics.idleRssMiB! > 10, `${where}: ${JSON.stringify(sample!.metrics)}`);
          assert.match(String(sample!.detail.verified), /^200, ES256 at\+jwt$/);
        } else {
          const result = sample!.detail.result as { flows: number; unexpected: number; errors: number; p50: number; p99: number };
          assert.ok(result.flows > 0, `${where}: no flow completed`);
          assert.equal(result.unexpected, 0, `${where}: wrong answers`);
          assert.equal(result.errors, 0, `${where}: connection errors`);
          assert.ok(result.p50 > 0 && result.p99 >= result.p50, `${where}: latency percentiles`);
          assert.ok(sample!.metrics.flowsPerSecond! > 0 && sample!.metrics.cpuMicrosPerFlow! > 0, where);
          assert.equal(sample!.detail.warmup, null);
          // What was verified before the load, per scenario (the checks themselves are in verify-*.ts).
          const verified = String(sample!.detail.verified);
          if (scenario.name === 'cc-rs256') assert.match(verified, /RS256 at\+jwt/, where);
          else if (scenario.name.startsWith('cc')) assert.match(verified, /ES256 at\+jwt/, where);
          if (scenario.name === 'code' || scenario.name === 'refresh') assert.match(verified, /RS256 ID token with nonce, refresh token/, where);
          if (scenario.name === 'refresh') assert.match(verified, /new refresh token/, where);
          if (scenario.name === 'introspect') assert.match(verified, server.name === 'oidc-provider' ? /opaque access token.*200 active/ : /JWT access token.*200 active/, where);
        }
      }
      assert.ok(scenario.ratios.length > 0, `${scenario.name}: no ratio`);
      for (const ratio of scenario.ratios) {
        assert.ok(ratio.median > 0 && ratio.min <= ratio.median && ratio.median <= ratio.max, `${scenario.name}: ${JSON.stringify(ratio)}`);
        assert.equal(ratio.perRound.length, 1);
      }
    }

    assert.equal(printed.goals.length, GOALS.length);
    for (const goal of printed.goals) {
      const measurable = WITH_POSTGRES || !goal.of.includes('postgres');
      if (measurable) assert.ok(goal.median !== null && goal.median > 0 && typeof goal.met === 'boolean', `goal not measured: ${goal.goal}`);
      else assert.equal(goal.met, null, goal.goal);
    }
    const report = formatReport(printed);
    for (const goal of GOALS) assert.match(report, new RegExp(`^${goal.goal.replace(/[()]/g, '\\$&')}\\s+${goal.scenario}: .*(met|not measured)$`, 'm'));
    assert.equal(printed.settings.durationSeconds, 0.5);
    assert.match(printed.machine.node, /^v\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench flags: scenarios, defaults, --only keeps the canonical order, --postgres adds a server, bad values are usage errors', () => {
  const defaults = parseBenchArgs([], {});
  assert.notEqual(defaults, 'help');
  if (defaults === 'help') return;
  assert.deepEqual(defaults.scenarios, ['cc']);
  assert.equal(defaults.duration, 10);
  assert.equal(defaults.warmup, 3);
  assert.equal(defaults.connections, 10);
  assert.equal(defaults.pipelining, 1);
  assert.deepEqual(defaults.only, ['latchkey', 'oidc-provider', 'ceiling']);
  assert.equal(defaults.postgresUrl, null);

  const all = parseBenchArgs(['--scenario', 'all'], {});
  assert.ok(all !== 'help');
  assert.deepEqual(all.scenarios, [...SCENARIO_NAMES]);
  const some = parseBenchArgs(['--scenario', 'startup,code'], {});
  assert.ok(some !== 'help');
  assert.deepEqual(some.scenarios, ['code', 'startup']);
  assert.throws(() => parseBenchArgs(['--scenario', 'password'], {}), /unknown: password/);

  const url = 'postgres://postgres@127.0.0.1:5432/test';
  for (const withPostgres of [parseBenchArgs(['--postgres', url], {}), parseBenchArgs([], { LATCHKEY_TEST_POSTGRES_URL: url })]) {
    assert.ok(withPostgres !== 'help');
    assert.deepEqual(withPostgres.only, ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling']);
    assert.equal(withPostgres.postgresUrl, url);
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
