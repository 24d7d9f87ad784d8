// The server's own cleanup (design.md: no janitor job): expired rows of every kind, and dynamic registrations never
// used within `unusedClientTtl` seconds of their creation (RFC 7591 §5 leaves their lifetime to the server).
import type { ServerContext } from '../server-context.ts';

/** One bounded round of cleanup; returns how many rows went. */
export async function removeExpired(ctx: Pick<ServerContext, 'store' | 'config' | 'now'>, batch: number): Promise<number> {
  const now = ctx.now();
  let removed = await ctx.store.deleteExpired(now, batch, { auditSeconds: ctx.config.auditRetention, diagnosticSeconds: ctx.config.diagnosticRetention });
  if (ctx.config.unusedClientTtl > 0) {
    const gone = await ctx.store.deleteUnusedClients(now - ctx.config.unusedClientTtl, batch);
    for (const id of gone) await ctx.store.recordAuditEvent({ type: 'client.expired', clientId: null, detail: { client_id: id } }, now);
    if (gone.length > 0) await ctx.store.bumpCacheVersion('clients');
    removed += gone.length;
  }
  return removed;
}
