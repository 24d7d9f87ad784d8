// Test support: the server and the demo in this process, on free ports and a temporary data directory, exactly as
// `latchkey start --dev --host localhost` wires them (createServer, listen, then startDevDemo).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createServer, resolveConfig } from '@latchkey/server';
import { startDevDemo, type RunningDemo } from '../../dev-demo.ts';
import { readDemoState, type DemoState } from '../../demo/demo-state.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface DemoHarness {
  issuer: string;
  apiUrl: string;
  importerUrl: string;
  dataDir: string;
  state: DemoState;
  /** What the demo printed (banner, API log lines). */
  lines: string[];
  server: FastifyInstance;
  close(): Promise<void>;
}

/** `deviceCodeInterval`: the device flow's polling interval in seconds (the server's default is 5). */
export async function startDemo(options: { dataDir?: string; deviceCodeInterval?: number } = {}): Promise<DemoHarness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
  const [port, apiPort, importerPort] = [await freePort(), await freePort(), await freePort()];
  const config = resolveConfig({
    dev: true, host: 'localhost', port, issuer: `http://localhost:${port}`, secret: 'demo-test-secret-that-is-long-enough-0123456789',
    databaseUrl: `sqlite:${join(dataDir, 'latchkey.db')}`, logLevel: 'silent',
    ...(options.deviceCodeInterval !== undefined ? { deviceCodeInterval: options.deviceCodeInterval } : {}),
  });
  const server = await createServer(config, { cacheSyncIntervalMs: 100 });
  await server.listen({ host: 'localhost', port });
  const lines: string[] = [];
  let demo: RunningDemo | undefined;
  try {
    demo = await startDevDemo({
      app: server, config, print: (line) => void lines.push(line),
      env: { LATCHKEY_DEMO_API_PORT: String(apiPort), LATCHKEY_DEMO_IMPORTER_PORT: String(importerPort) },
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  if (!demo) throw new Error(`the demo did not start:\n${lines.join('\n')}`);
  const running = demo;
  return {
    issuer: config.issuer,
    apiUrl: `http://localhost:${apiPort}`,
    importerUrl: `http://localhost:${importerPort}`,
    dataDir,
    state: readDemoState(join(dataDir, 'demo-clients.json')) as DemoState,
    lines,
    server,
    async close() {
      await running.close();
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
