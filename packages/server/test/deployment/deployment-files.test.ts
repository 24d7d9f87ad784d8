// Keeps the deployment files honest (docs/deployment.md): Docker is not available where the tests run, so
// this parses the Dockerfile, compose.yaml and deploy/Caddyfile and checks them against the repository
// and the configuration code. It does not build or start anything.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configFromEnv } from '../../src/config/config.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** True when `name` is an environment variable the server's configuration reads. */
const isConfigVariable = (name: string) => Object.keys(configFromEnv({ [name]: 'x' })).length === 1;

// ---- Dockerfile
interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

const DOCKERFILE_KEYWORDS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG',
  'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

/** Splits a Dockerfile into instructions: comments dropped, backslash continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== '' && line.trimStart().startsWith('#')) return; // comments inside a continuation
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    assert.ok(match, `Dockerfile line ${startLine} is not an instruction`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: startLine });
  });
  assert.equal(pending, '', 'the Dockerfile ends inside a line continuation');
  return instructions;
}

/** Exec form (JSON array) of CMD/ENTRYPOINT/HEALTHCHECK CMD; undefined for shell form. */
function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed = JSON.parse(args) as unknown;
  assert.ok(Array.isArray(parsed) && parsed.every((p) => typeof p === 'string'), `not a JSON string array: ${args}`);
  return parsed as string[];
}

/** NAME=value pairs of an ENV instruction (the legacy "ENV NAME value" form too). */
function envNames(args: string): string[] {
  if (!args.includes('=')) return [args.split(/\s+/)[0]!];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!);
}

describe('Dockerfile', () => {
  const instructions = parseDockerfile(read('Dockerfile'));
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword);
  const last = (keyword: string) => all(keyword).at(-1);

  const stages = all('FROM');
  const runtimeStart = stages.at(-1)!.line;
  const inRuntime = (i: Instruction) => i.line > runtimeStart;

  it('uses only known instructions; a build stage compiles with tsc, the image (node:24-slim) runs the build', () => {
    for (const i of instructions) assert.ok(DOCKERFILE_KEYWORDS.has(i.keyword), `unknown instruction ${i.keyword} on line ${i.line}`);
    const first = instructions.find((i) => i.keyword !== 'ARG');
    assert.equal(first?.keyword, 'FROM');
    assert.equal(stages.length, 2, 'a build stage and the image');
    for (const stage of stages) assert.match(stage.args, /^node:24-slim(@sha256:[0-9a-f]{64})?(\s|$)/);
    assert.match(stages[0]!.args, /\bAS build$/i);
    assert.ok(all('RUN').some((r) => !inRuntime(r) && /npm run build --workspace @latchkey\/server\b/.test(r.args)), 'the build stage runs the package build');
    const runtimeCopies = all('COPY').filter(inRuntime).map((c) => c.args).join('\n');
    assert.doesNotMatch(runtimeCopies, /\bsrc\b/, 'no TypeScript sources in the image');
    for (const dist of ['packages/sqlite/dist', 'packages/server/dist']) assert.ok(runtimeCopies.includes(`--from=build /app/${dist} ${dist}`), `the image gets ${dist}`);
  });

  it('installs production dependencies only, from the lockfile, after copying every workspace manifest', () => {
    const install = all('RUN').filter(inRuntime).find((i) => /\bnpm ci\b/.test(i.args));
    assert.ok(install, 'dependencies are installed with npm ci (exactly the lockfile)');
    assert.match(install.args, /--omit=dev\b/);
    assert.match(install.args, /--workspace deploy\b/);
    assert.doesNotMatch(all('RUN').map((i) => i.args).join('\n'), /\bnpm (install|i)\b/);
    // npm ci validates the lockfile against every workspace, so each one's package.json must be there first.
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
    const copiedBefore = all('COPY').filter((c) => inRuntime(c) && c.line < install.line).map((c) => c.args).join('\n');
    assert.match(copiedBefore, /\bpackage-lock\.json\b/);
    for (const workspace of workspaces) {
      assert.ok(copiedBefore.includes(`${workspace}/package.json`), `${workspace}/package.json is copied before npm ci`);
    }
  });

  it('installs everything the server imports at run time (the image has only its declared dependencies)', () => {
    const server = JSON.parse(read('packages/server/package.json')) as {
      version: string; dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    // An optional peer counts as declared: the server imports it only where it is needed, and says what to install.
    const optionalPeers = Object.keys(server.peerDependencies).filter((name) => server.peerDependenciesMeta[name]?.optional === true);
    const declared = new Set([...Object.keys(server.dependencies), ...optionalPeers]);
    const imported = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|js)$/.test(entry.name)) {
          for (const line of read(path).split('\n')) {
            if (/^\s*(import|export) type\b/.test(line)) continue;
            for (const m of line.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
              const specifier = m[1]!;
              if (specifier.startsWith('node:')) continue;
              imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
            }
          }
        }
      }
    };
    walk('packages/server/src');
    walk('packages/server/bin');
    assert.ok(imported.size > 3);
    for (const name of imported) assert.ok(declared.has(name), `${name} is imported by packages/server but not in its dependencies`);
    // Optional peers the server loads on demand to serve (pg for postgres://) are what the image adds through
    // deploy/package.json; playwright-core is left out: `latchkey audit app` drives a chromium the image does not have.
    const notInImage = new Set(['playwright-core']);
    for (const name of notInImage) assert.ok(optionalPeers.includes(name), `${name} is an optional peer of the server`);
    const image = JSON.parse(read('deploy/package.json')) as { dependencies: Record<string, string> };
    assert.equal(image.dependencies['@latchkey/server'], server.version);
    for (const [name, range] of Object.entries(server.peerDependencies)) {
      if (notInImage.has(name)) assert.equal(image.dependencies[name], undefined, `the image does not install ${name}`);
      else assert.equal(image.dependencies[name], range, `the image installs ${name}`);
    }
  });

  it('copies only paths that exist in the repository', () => {
    for (const copy of [...all('COPY'), ...all('ADD')]) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      if (copy.args.includes('--from=build')) {
        for (const source of parts.slice(0, -1)) assert.match(source, /^\/app\/packages\/[a-z]+\/dist$/, `line ${copy.line} copies build output only`);
        continue;
      }
      for (const source of parts.slice(0, -1)) assert.ok(existsSync(join(ROOT, source)), `COPY source ${source} (line ${copy.line}) exists`);
    }
  });

  it('runs as a non-root user', () => {
    const user = last('USER');
    assert.ok(user, 'a USER instruction');
    assert.doesNotMatch(user.args, /^(root|0)(:|$)/);
    const entrypoint = last('ENTRYPOINT');
    assert.ok(entrypoint && user.line < entrypoint.line, 'USER comes before the entrypoint');
    assert.ok(all('RUN').every((r) => r.line < user.line), 'nothing runs as root after switching user');
  });

  it('starts `latchkey start` through the real CLI entry point', () => {
    const entrypoint = execForm(last('ENTRYPOINT')?.args ?? '');
    assert.ok(entrypoint, 'ENTRYPOINT in exec form (signals reach node, so SIGTERM drains requests)');
    assert.equal(entrypoint[0], 'node');
    assert.equal(entrypoint[1], 'packages/server/bin/latchkey.js');
    assert.ok(existsSync(join(ROOT, entrypoint[1])));
    const bin = (JSON.parse(read('packages/server/package.json')) as { bin: Record<string, string> }).bin.latchkey;
    assert.equal(`packages/server/${bin?.replace(/^\.\//, '')}`, entrypoint[1], 'the same file as the package\'s `latchkey` bin');
    assert.deepEqual(execForm(last('CMD')?.args ?? ''), ['start']);
  });

  it('checks /healthz on the configured port, and listens beyond localhost', () => {
    const healthcheck = last('HEALTHCHECK');
    assert.ok(healthcheck);
    assert.match(healthcheck.args, /\bCMD\b/);
    assert.match(healthcheck.args, /\/healthz\b/);
    assert.match(healthcheck.args, /LATCHKEY_PORT/);
    const env = all('ENV').flatMap((e) => envNames(e.args));
    assert.ok(env.includes('LATCHKEY_HOST'), 'LATCHKEY_HOST is set (the default 127.0.0.1 is unreachable from outside a container)');
    const exposed = all('EXPOSE').map((e) => e.args);
    assert.ok(exposed.some((p) => /^4000(\/tcp)?$/.test(p)));
  });

  it('sets only environment variables the configuration knows, and bakes in no secret', () => {
    const env = all('ENV').flatMap((e) => envNames(e.args));
    for (const name of env.filter((n) => n.startsWith('LATCHKEY_'))) assert.ok(isConfigVariable(name), `${name} is read by config/config.ts`);
    assert.ok(!env.includes('LATCHKEY_SECRET'), 'the secret is provided at run time, never in the image');
    assert.ok(!all('ARG').some((a) => /SECRET|PASSWORD/i.test(a.args)));
  });

  it('is accompanied by a .dockerignore that keeps local state out of the image', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const entry of ['.git', '**/node_modules', 'data', '*.db']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
  });
});

// ---- compose.yaml
interface ComposeService {
  image?: string;
  build?: string | { context?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * compose.yaml is written in JSON syntax, which is valid YAML, so no YAML parser is needed here: drop the
 * full-line `#` comments at its top and JSON.parse the rest. A YAML-only edit makes this test fail loudly.
 */
function parseCompose(): ComposeFile {
  const text = read('compose.yaml').split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  try {
    return JSON.parse(text) as ComposeFile;
  } catch (error) {
    assert.fail(`compose.yaml must stay JSON-compatible YAML (see its header): ${(error as Error).message}`);
  }
}

describe('compose.yaml', () => {
  const compose = parseCompose();
  const services = Object.entries(compose.services);
  const latchkeys = services.filter(([, s]) => s.environment?.LATCHKEY_DATABASE_URL !== undefined);
  const postgres = services.find(([, s]) => s.image?.startsWith('postgres:'));
  const proxy = services.find(([, s]) => /^(caddy|nginx|haproxy|traefik)(:|$)/.test(s.image ?? ''));

  it('has two Latchkey instances, PostgreSQL and a proxy', () => {
    assert.equal(latchkeys.length, 2, `Latchkey services: ${latchkeys.map(([n]) => n).join(', ')}`);
    assert.ok(postgres, 'a postgres service');
    assert.ok(proxy, 'a proxy service (caddy, nginx, haproxy or traefik)');
  });

  it('builds the instances from this repository\'s Dockerfile and starts them with `start`', () => {
    for (const [name, service] of latchkeys) {
      const context = typeof service.build === 'string' ? service.build : service.build?.context;
      assert.equal(context, '.', `${name} builds from the repository root`);
      assert.deepEqual(service.command ?? ['start'], ['start']);
    }
  });

  it('points both instances at the same PostgreSQL, with the same issuer and secret', () => {
    const [postgresName] = postgres!;
    const values = (key: string) => new Set(latchkeys.map(([, s]) => s.environment?.[key]));
    for (const key of ['LATCHKEY_DATABASE_URL', 'LATCHKEY_ISSUER', 'LATCHKEY_SECRET']) assert.equal(values(key).size, 1, `${key} is identical on every instance`);
    const url = [...values('LATCHKEY_DATABASE_URL')][0] ?? '';
    assert.match(url, new RegExp(`^postgres://[^@]+@${postgresName}:5432/`));
    assert.match([...values('LATCHKEY_ISSUER')][0] ?? '', /^https:\/\//, 'the public issuer is https (TLS at the proxy)');
    assert.match([...values('LATCHKEY_SECRET')][0] ?? '', /^\$\{LATCHKEY_SECRET:\?[^}]*\}$/, 'the secret comes from the environment and is required');
    for (const [name, service] of latchkeys) {
      assert.equal(service.depends_on?.[postgresName]?.condition, 'service_healthy', `${name} waits for PostgreSQL`);
    }
    assert.ok(postgres![1].healthcheck?.test?.join(' ').includes('pg_isready'));
  });

  it('uses only configuration variables that exist in config/config.ts', () => {
    for (const [name, service] of latchkeys) {
      for (const key of Object.keys(service.environment ?? {})) assert.ok(isConfigVariable(key), `${name}: ${key} is read by config/config.ts`);
      assert.equal(service.environment?.LATCHKEY_HOST, '0.0.0.0');
    }
  });

  it('reaches the instances only through the proxy, which terminates TLS and checks /readyz', () => {
    for (const [name, service] of latchkeys) {
      assert.equal(service.ports, undefined, `${name} publishes no port (it trusts X-Forwarded-For)`);
      assert.equal(service.environment?.LATCHKEY_TRUST_PROXY, 'true');
    }
    const [proxyName, proxyService] = proxy!;
    assert.ok(proxyService.ports?.some((p) => /(^|:)443$/.test(p)), `${proxyName} publishes 443`);
    const mount = proxyService.volumes?.find((v) => v.startsWith('./'));
    assert.ok(mount, 'the proxy configuration is mounted from the repository');
    const configPath = mount.split(':')[0]!;
    assert.ok(existsSync(join(ROOT, configPath)), `${configPath} exists`);
    const proxyConfig = read(configPath);
    for (const [name] of latchkeys) assert.match(proxyConfig, new RegExp(`\\b${name}:4000\\b`), `the proxy balances over ${name}`);
    assert.match(proxyConfig, /\/readyz\b/, 'the proxy routes on readiness');
    for (const [name] of latchkeys) assert.ok(proxyService.depends_on?.[name], `${proxyName} starts after ${name}`);
  });

  it('declares every named volume and depends only on services that exist', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) assert.ok(declared.has(source), `${name}: volume ${source} is declared`);
      }
      for (const dependency of Object.keys(service.depends_on ?? {})) assert.ok(compose.services[dependency], `${name} depends on ${dependency}, which exists`);
    }
  });
});

describe('docs/deployment.md', () => {
  const doc = read('docs/deployment.md');

  it('names only configuration variables that exist', () => {
    const names = new Set([...doc.matchAll(/\bLATCHKEY_[A-Z_]+\b/g)].map((m) => m[0]));
    assert.ok(names.size >= 5);
    for (const name of names) assert.ok(isConfigVariable(name), `${name} (named in docs/deployment.md) is read by config/config.ts`);
  });

  it('links to deployment files that exist', () => {
    for (const [, target] of doc.matchAll(/\]\(\.\.\/([^)#]+)\)/g)) assert.ok(existsSync(join(ROOT, target!)), `${target} exists`);
    for (const [, path] of doc.matchAll(/`(packages\/server\/test\/[^`]+\.test\.ts)`/g)) assert.ok(existsSync(join(ROOT, path!)), `${path} exists`);
  });
});
