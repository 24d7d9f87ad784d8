// `npm run demo:mcp`: the MCP story by hand, in your own browser. Starts the notes MCP server on
// http://localhost:4010/mcp and runs the notes agent against it; the agent registers itself through RFC 7591 (a
// client ID metadata document needs an https site of its own; examples/test/mcp-agent.test.ts shows that path).
// Before: `LATCHKEY_DYNAMIC_REGISTRATION=true npm start`, then once:
//   npx latchkey api add --identifier http://localhost:4010/mcp --scope "notes:read=Read your notes" --scope "notes:write=Add notes"
import { createNotesMcpServer, mcpResource } from './notes-mcp-server.ts';
import { runNotesAgent } from './notes-agent.ts';

const issuer = process.env.LATCHKEY_ISSUER ?? 'http://localhost:4000';
const port = Number(process.env.LATCHKEY_DEMO_MCP_PORT ?? 4010);
const origin = `http://localhost:${port}`;

const { app } = await createNotesMcpServer({ issuer, origin });
await app.listen({ host: 'localhost', port });
console.log(`Notes MCP server at ${mcpResource(origin)} (tokens from ${issuer})`);
try {
  const run = await runNotesAgent({
    serverUrl: mcpResource(origin), note: `a note written at ${new Date().toISOString()}`,
    openBrowser: async (url) => void console.log(`\nOpen this in your browser, sign in and allow:\n  ${url.href}\n`),
  });
  console.log(`client_id ${run.clientId}`);
  console.log(`notes before: ${JSON.stringify(run.notesBefore)}`);
  console.log(`add_note (after the step-up for notes:write): ${run.added}`);
  console.log(`notes after: ${JSON.stringify(run.notesAfter)}`);
} catch (error) {
  console.error(`latchkey demo:mcp: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await app.close();
}
