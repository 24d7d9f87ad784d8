// Runs the CLI in-process against a temporary SQLite file and captures what it prints.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

export class CliHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  readonly databaseUrl = `sqlite:${join(this.dir, 'latchkey.db')}`;

  async run(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      readStdin: async () => options.stdin ?? '',
      env: { LATCHKEY_DATABASE_URL: this.databaseUrl, ...options.env },
    });
    return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
