// The demo that `latchkey start --dev` runs beside the server (it loads this module with a dynamic import, only in dev
// mode, unless --no-demo): creates what the demo needs on first start, then starts the Contacts API and the Contacts
// Importer on localhost and prints where everything is and how to sign in.
import { relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '@latchkey/server';
import { createContactsApi } from './contacts-api/contacts-api.ts';
import { bootstrapDemo } from './demo/bootstrap.ts';
import { DEMO_HOST, DEMO_PORT_ENV, DemoError, demoSettings, issuerProblem, type DemoSettings } from './demo/demo-settings.ts';
import type { DemoState } from './demo/demo-state.ts';
import { createImporter } from './importer/importer-app.ts';

/** What the server hands the demo (the contract of `latchkey start --dev`'s extension point). */
export interface DevDemoInput {
  /** The running authorization server (`createServer`'s Fastify instance, already listening). */
  app: FastifyInstance;
  config: ServerConfig;
  env: NodeJS.ProcessEnv;
  /** Writes one line for the person at the console. */
  print: (line: string) => void;
}

export interface RunningDemo {
  /** Stops the demo apps (the server stops itself afterwards). */
  close(): Promise<void>;
}

export { DemoError };

async function listen(app: FastifyInstance, port: number, what: string, envName: string): Promise<void> {
  try {
    await app.listen({ host: DEMO_HOST, port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new DemoError(`port ${port} (${what}) is already in use: stop the other process, choose another port with ${envName}=PORT, or start without the demo (--no-demo)`);
    if (code === 'EACCES') throw new DemoError(`not allowed to listen on port ${port} (${what}): choose a port above 1023 with ${envName}=PORT`);
    throw error;
  }
}

function banner(settings: DemoSettings, state: DemoState, created: string[]): string[] {
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel.startsWith('..') ? path : rel;
  };
  return [
    '',
    'Latchkey demo (dev mode): the whole OAuth story on your machine.',
    `  Authorization server  ${settings.issuer}/   (sign-in, consent, your account page: ${settings.issuer}/account)`,
    `  Contacts API          ${settings.apiUrl}/   (a resource server; each call is logged here and on its page)`,
    `  Contacts Importer     ${settings.importerUrl}/   <- open this in your browser and click "Connect your contacts"`,
    '',
    `  Sign in as  username: ${state.user.username}   password: ${state.user.password}`,
    '  Machine-to-machine:   npm run demo:sync   (client credentials, in another terminal)',
    `  Device sign-in (CLI): npm run demo:device (the device flow: it prints a code to enter at ${settings.issuer}/device)`,
    `  Demo client secrets:  ${shown(settings.stateFile)} (mode 0600, never commit it)`,
    ...(created.length > 0 ? [`  Created on this start: ${created.join(', ')}`] : []),
    '',
  ];
}

/** Starts the demo; resolves to undefined (after saying why) when it cannot run with this server's settings. */
export async function startDevDemo(input: DevDemoInput): Promise<RunningDemo | undefined> {
  const problem = issuerProblem(input.config.issuer);
  if (problem) {
    input.print(`latchkey: demo not started: ${problem}`);
    return undefined;
  }
  const settings = demoSettings({ issuer: input.config.issuer, serverPort: input.config.port, databaseUrl: input.config.databaseUrl, env: input.env });
  const server = input.app.latchkeyServer;
  const { state, created, labels } = await bootstrapDemo(server.store, server.now(), settings);
  // This process's caches learn about the new API and clients now, not at the next poll.
  server.clients.invalidate();
  await server.scopes.load();

  const api = createContactsApi({
    issuer: settings.issuer, identifier: state.api.identifier, origin: settings.apiUrl,
    introspection: state.apiIntrospection, labels, print: input.print,
  });
  await listen(api.app, settings.apiPort, 'Contacts API', DEMO_PORT_ENV.api);
  let importer;
  try {
    importer = await createImporter({
      issuer: settings.issuer, origin: settings.importerUrl, clientId: state.importer.clientId, clientSecret: state.importer.clientSecret,
      encryptionKey: state.importer.encryptionKey, sessionsDb: settings.importerSessionsDb, apiUrl: settings.apiUrl, print: input.print,
    });
    await listen(importer.app, settings.importerPort, 'Contacts Importer', DEMO_PORT_ENV.importer);
  } catch (error) {
    await api.app.close();
    throw error;
  }
  // The server's start page (/) links to the demo while it runs.
  const links = [
    { label: 'Contacts Importer', href: `${settings.importerUrl}/`, description: 'a third-party app: start the demo here ("Connect your contacts")' },
    { label: 'Contacts API', href: `${settings.apiUrl}/`, description: 'the resource server the importer calls, with its log of who called' },
  ];
  server.homeLinks.push(...links);
  for (const line of banner(settings, state, created)) input.print(line);
  const running = importer;
  return {
    async close() {
      server.homeLinks.splice(0, server.homeLinks.length, ...server.homeLinks.filter((link) => !links.includes(link)));
      await Promise.allSettled([running.app.close(), api.app.close()]);
    },
  };
}
