// Child process for the cross-process refresh test: one more client kit over the same SQLite file, N concurrent getAccessToken calls.
import { createLatchkeyClient, createSqliteStore } from '../../src/index.ts';

interface WorkerInput {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  dbPath: string;
  key: string;
  sessionId: string;
  calls: number;
}

const input = JSON.parse(process.env.LATCHKEY_WORKER_INPUT ?? '{}') as WorkerInput;
const client = await createLatchkeyClient({
  issuer: input.issuer,
  clientId: input.clientId,
  clientSecret: input.clientSecret,
  redirectUri: input.redirectUri,
  scopes: ['openid'],
  store: createSqliteStore({ path: input.dbPath }),
  encryptionKeys: [{ kid: 'k1', key: input.key }],
});
process.stdout.write('ready\n');
// Start when the parent says so, so that both processes race.
process.stdin.once('data', async () => {
  const tokens = await Promise.all(Array.from({ length: input.calls }, () => client.getAccessToken(input.sessionId)));
  process.stdout.write(`${JSON.stringify(tokens)}\n`);
  await client.close();
  process.exit(0);
});
