// `latchkey audit-log` and the admin actions the CLI records (issue 18, docs/audit-events.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseSince } from '../../src/cli/audit-log-command.ts';
import { CliHarness } from '../helpers/cli-harness.ts';

const SECRET_ENV = { LATCHKEY_SECRET: 'cli-audit-secret-0123456789-0123456789' };

describe('latchkey audit-log', () => {
  const cli = new CliHarness();
  before(() => {});
  after(() => cli.remove());

  it('admin actions are recorded with by=cli and the actor, streamed to the configured file, and listed with filters', async () => {
    const stream = join(cli.dir, 'audit.jsonl');
    const env = { ...SECRET_ENV, LATCHKEY_AUDIT_LOG_STREAM: stream, USER: 'ops-alice' };
    const created = (await cli.run(['client', 'add', '--name', 'Audited', '--scope', 'openid', '--redirect-uri', 'https://a.example/cb', '--json'], { env })).json<{ client_id: string }>();
    assert.equal((await cli.run(['user', 'add', '--username', 'bob', '--password-stdin'], { env, stdin: 'a long enough password 123' })).code, 0);
    assert.equal((await cli.run(['client', 'rotate-secret', created.client_id], { env })).code, 0);
    assert.equal((await cli.run(['keys', 'rotate', '--alg', 'ES256'], { env })).code, 0);
    assert.equal((await cli.run(['keys', 'rotate', '--alg', 'ES256'], { env })).code, 0);

    type Line = { audit: number; type: string; client_id: string | null; user_id: string | null; request_id: string | null; detail: Record<string, unknown> };
    const all = (await cli.run(['audit-log', '--json'])).json<Line[]>();
    assert.deepEqual(all.map((e) => e.type), ['key.staged', 'key.created', 'client.secret_rotated', 'user.created', 'client.created']);
    const clientCreated = all.find((e) => e.type === 'client.created')!;
    assert.deepEqual([clientCreated.client_id, clientCreated.request_id, clientCreated.detail], [created.client_id, null, { name: 'Audited', by: 'cli', actor: 'ops-alice' }]);

    const streamed = readFileSync(stream, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
    assert.deepEqual(streamed.map((e) => e.type).reverse(), all.map((e) => e.type), 'the file has every admin event');

    assert.deepEqual((await cli.run(['audit-log', '--client', created.client_id, '--json'])).json<Line[]>().map((e) => e.type), ['client.secret_rotated', 'client.created']);
    assert.deepEqual((await cli.run(['audit-log', '--user', 'bob', '--json'])).json<Line[]>().map((e) => e.type), ['user.created']);
    assert.deepEqual((await cli.run(['audit-log', '--type', 'key.*', '--type', 'user.created', '--json'])).json<Line[]>().map((e) => e.type), ['key.staged', 'key.created', 'user.created']);
    assert.equal((await cli.run(['audit-log', '--limit', '2', '--json'])).json<Line[]>().length, 2);
    assert.deepEqual((await cli.run(['audit-log', '--since', '2999-01-01T00:00:00Z', '--json'])).json<Line[]>(), []);
    assert.equal((await cli.run(['audit-log', '--since', '1h', '--json'])).json<Line[]>().length, 5);
    const human = await cli.run(['audit-log', '--type', 'client.created']);
    assert.match(human.stdout, new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z  client\\.created\\s+client=${created.client_id}  \\{"name":"Audited","by":"cli","actor":"ops-alice"\\}\\n$`));
    assert.equal((await cli.run(['audit-log', '--type', 'nothing.here'])).stdout, 'no matching audit events\n');
    const bad = await cli.run(['audit-log', '--since', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since must be like 24h/);
    assert.equal((await cli.run(['audit-log', '--limit', '0'])).code, 2);
  });

  it('every admin command that changes something is in the audit trail', async () => {
    const env = { ...SECRET_ENV, USER: 'ops-bob' };
    const run = async (argv: string[], stdin?: string) => {
      const result = await cli.run(argv, { env, ...(stdin ? { stdin } : {}) });
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
      return result;
    };
    const client = (await run(['client', 'add', '--name', 'Short-lived', '--scope', 'openid', '--redirect-uri', 'https://b.example/cb', '--json'])).json<{ client_id: string }>();
    const service = (await run(['client', 'add', '--name', 'Introspector', '--grant-type', 'client_credentials', '--json'])).json<{ client_id: string }>();
    await run(['api', 'add', '--identifier', 'https://audited.example', '--scope', 'things:read=read things']);
    await run(['api', 'update', 'https://audited.example', '--introspector', service.client_id]);
    await run(['api', 'remove', 'https://audited.example']);
    await run(['user', 'add', '--username', 'carol', '--password-stdin'], 'another long password 456');
    await run(['user', 'set-password', 'carol', '--password-stdin'], 'a changed long password 789');
    await run(['user', 'remove', 'carol']);
    await run(['client', 'remove', client.client_id]);
    const events = (await cli.run(['audit-log', '--limit', '9', '--json'])).json<{ type: string; detail: { by: string; actor: string } }[]>();
    assert.deepEqual(events.map((e) => e.type).reverse(), [
      'client.created', 'client.created', 'api.created', 'api.introspectors_changed', 'api.removed', 'user.created', 'user.password_set', 'user.removed', 'client.removed',
    ]);
    assert.ok(events.every((e) => e.detail.by === 'cli' && e.detail.actor === 'ops-bob'));
    const keyEvents = (await cli.run(['audit-log', '--type', 'key.*', '--json'])).json<{ type: string }[]>().length;
    const keys = (await cli.run(['keys', 'list', '--json'])).json<{ kid: string; state: string }[]>();
    await run(['keys', 'revoke', keys.find((k) => k.state === 'published')!.kid]);
    assert.equal((await cli.run(['audit-log', '--type', 'key.*', '--json'])).json<{ type: string }[]>().length, keyEvents + 1, 'key.revoked');
  });

  it('--since: relative durations and ISO times', () => {
    assert.equal(parseSince('24h', 100_000), 100_000 - 86400);
    assert.equal(parseSince('30m', 100_000), 100_000 - 1800);
    assert.equal(parseSince('7d', 1_000_000), 1_000_000 - 604800);
    assert.equal(parseSince('2026-11-01T00:00:00Z', 0), Date.UTC(2026, 10, 1) / 1000);
    assert.throws(() => parseSince('soon', 0), /--since must be like/);
  });
});
