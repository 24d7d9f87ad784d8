// The mark of a client nobody vetted (dynamic registration, client ID metadata document) on the login and consent
// pages: the host it came from and who did not verify it (MCP 2025-11-25 "Security Considerations", RFC 7591 §5).
import { html, type Html } from './html.ts';
import type { UnverifiedClient } from '../../endpoints/page-models.ts';

export function unverifiedClientNotice(client: UnverifiedClient | undefined): Html | undefined {
  if (!client) return undefined;
  return html`<div class="unverified" role="note"><p><strong>${client.host}</strong> — this application registered itself and is <strong>not verified by ${client.operatorName}</strong>. Continue only if you trust ${client.host}.</p>
<p>You will be sent back to <strong>${client.redirectHost}</strong>.${client.redirectIsLocal ? html` That is an application running on this computer: continue only if you just started ${client.host}'s application yourself.` : ''}</p></div>`;
}
