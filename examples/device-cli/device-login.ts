// `npm run demo:device` (from the repository root, while `npm start` runs): reads the demo's state file for the CLI's
// client id and runs the device sign-in (run-device-login.ts).
import { DEFAULT_DATABASE_URL } from '@latchkey/server/internal';
import { DemoError, demoDataDir, demoStateFile } from '../demo/demo-settings.ts';
import { requireDeviceCliState } from '../demo/demo-state.ts';
import { runDeviceLogin } from './run-device-login.ts';

const file = process.env.LATCHKEY_DEMO_STATE_FILE || demoStateFile(demoDataDir(process.env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL));
try {
  await runDeviceLogin(requireDeviceCliState(file), (line) => console.log(line));
} catch (error) {
  console.error(`demo:device: ${error instanceof DemoError ? error.message : `unexpected error: ${(error as Error).message}`}`);
  process.exitCode = 1;
}
