// `npm run demo:sync` (from the repository root, while `npm start` runs): reads the demo's secrets file and runs the job.
import { DEFAULT_DATABASE_URL } from '@latchkey/server/internal';
import { DemoError, demoDataDir, demoStateFile } from '../demo/demo-settings.ts';
import { requireDemoState } from '../demo/demo-state.ts';
import { runSync } from './run-sync.ts';

const file = process.env.LATCHKEY_DEMO_STATE_FILE || demoStateFile(demoDataDir(process.env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL));
try {
  await runSync(requireDemoState(file), (line) => console.log(line));
} catch (error) {
  console.error(`demo:sync: ${error instanceof DemoError ? error.message : `unexpected error: ${(error as Error).message}`}`);
  process.exitCode = 1;
}
