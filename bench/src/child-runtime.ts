// Child-side helpers: report readiness (or failure) to the parent, and stop cleanly when asked.
import { createServer } from 'node:net';
import type { ChildMessage, ParentMessage, ReadyMessage } from './child-protocol.ts';

function send(message: ChildMessage): void {
  if (!process.send) throw new Error('a bench server must be started by the bench harness (it needs an IPC channel)');
  process.send(message);
}

/** A free TCP port on 127.0.0.1 (the issuer URL must name its port before the server starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs `start` (which starts a server and returns what the parent needs plus a close function),
 * reports ready, answers `cpu-usage` and `memory`, and on `stop` (or a closed IPC channel) closes and exits 0.
 */
export async function runChild(start: () => Promise<{ ready: Omit<ReadyMessage, 'type'>; close: () => Promise<void> }>): Promise<void> {
  let close: () => Promise<void>;
  try {
    const started = await start();
    close = started.close;
    send({ type: 'ready', ...started.ready });
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    await close().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') void stop();
    if (message.type === 'cpu-usage') send({ type: 'cpu-usage', ...process.cpuUsage() });
    if (message.type === 'memory') send({ type: 'memory', rss: process.memoryUsage.rss() });
  });
  process.on('disconnect', () => void stop());
}
