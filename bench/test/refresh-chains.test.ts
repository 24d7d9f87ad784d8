// Refresh chains stay valid across runs (issue 21): with a warm-up and two rounds, every refresh of both servers is
// answered with a rotated token. Before each run got fresh chains, the measured run reused chains made before the
// warm-up, which oidc-provider's in-memory LRU had evicted meanwhile: every refresh then answered 400 invalid_grant.
// Correctness only: no speed number is asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { BenchResult } from '../src/run-bench.ts';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));

test('refresh scenario with a 3 s warm-up and two rounds: no wrong answer from either server in any run', { timeout: 200_000 }, () => {
  const run = spawnSync(process.execPath, [
    '--conditions=latchkey-source', RUN, '--scenario', 'refresh', '--only', 'latchkey,oidc-provider',
    '--rounds', '2', '--duration', '1', '--warmup', '3', '--connections', '2', '--json', '--no-output',
  ], { encoding: 'utf8', timeout: 190_000 });
  assert.equal(run.status, 0, `bench exited ${run.status}\nstdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-3000)}`);
  const printed = JSON.parse(run.stdout) as BenchResult;
  assert.deepEqual(printed.problems, []);
  const [scenario] = printed.scenarios;
  assert.deepEqual(scenario!.servers.map((s) => s.name), ['latchkey', 'oidc-provider']);
  for (const server of scenario!.servers) {
    assert.equal(server.samples.length, 2, server.name);
    for (const sample of server.samples) {
      for (const [phase, result] of Object.entries({ warmup: sample.detail.warmup, measured: sample.detail.result })) {
        const where = `${server.name} round ${sample.round + 1} ${phase}`;
        const { flows, unexpected, errors, statusCodes } = result as { flows: number; unexpected: number; errors: number; statusCodes: Record<string, number> };
        assert.ok(flows > 0, `${where}: no refresh answered`);
        assert.equal(unexpected, 0, `${where}: wrong answers ${JSON.stringify(statusCodes)}`);
        assert.equal(errors, 0, where);
        assert.deepEqual(Object.keys(statusCodes), ['200'], where);
      }
    }
  }
  assert.ok(scenario!.ratios.some((r) => r.of === 'latchkey' && r.over === 'oidc-provider' && r.median > 0 && r.perRound.length === 2));
});
