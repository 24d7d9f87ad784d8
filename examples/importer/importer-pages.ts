// The importer's pages: server-rendered, no scripts, every value escaped. The browser only ever sees contacts and
// this explanation, never a token.
import { html, type Html } from '../shared/html.ts';
import { renderPage, type RenderedPage, type SiteIdentity } from '../shared/page.ts';
import type { Contact } from './contacts-api-client.ts';
import type { TraceField, TraceStep } from './flow-trace.ts';

export interface PageContext {
  site: SiteIdentity;
  /** The authorization server (for links and for the Disconnect form's redirect). */
  issuer: string;
  apiUrl: string;
}

export type Notice = { tone: 'ok' | 'warn' | 'error'; title: string; text: string; action?: { href: string; label: string } };

function footer(context: PageContext): Html {
  return html`Contacts Importer is a demo third-party app. It uses <a href="${context.issuer}/">the Latchkey server</a> to get your permission
and calls the <a href="${context.apiUrl}/">Contacts API</a> on your behalf.`;
}

function page(context: PageContext, title: string, body: Html): RenderedPage {
  return renderPage({ site: context.site, title, formTargets: [new URL(context.issuer).origin], footer: footer(context) }, body);
}

function noticeBlock(notice: Notice | undefined): Html | '' {
  if (!notice) return '';
  const role = notice.tone === 'ok' ? 'status' : 'alert';
  return html`<div class="notice ${notice.tone === 'ok' ? '' : notice.tone}" role="${role}">
<p><strong>${notice.title}</strong></p><p>${notice.text}</p>
${notice.action ? html`<p><a class="button" href="${notice.action.href}">${notice.action.label}</a></p>` : ''}
</div>`;
}

function fields(list: TraceField[]): Html {
  return html`<dl class="kv">${list.map((f) => html`<dt>${f.name}</dt><dd class="${f.redacted ? 'redacted' : 'mono'}">${f.value}</dd>`)}</dl>`;
}

const CHANNEL: Record<TraceStep['channel'], string> = {
  front: 'through your browser',
  back: 'server to server: your browser was not involved',
  none: '',
};

export function flowPanel(steps: readonly TraceStep[]): Html {
  return html`<section class="card" aria-labelledby="how">
<h2 id="how">How this worked</h2>
${steps.length === 0 ? html`<p class="muted">The steps appear here as they happen.</p>` : html`
<p class="muted">Every step of the flow, in order. Codes, tokens and secrets are redacted: the importer keeps them on its server.</p>
<ol class="steps">${steps.map((step) => html`<li>
<span class="step-title">${step.title}</span>${step.repeat > 1 ? html` <span class="muted">(×${step.repeat})</span>` : ''}
${step.channel !== 'none' ? html`<br><span class="muted">${CHANNEL[step.channel]}</span>` : ''}
${step.request ? html`<br><code>${step.request}</code>` : ''}
${step.sent.length > 0 ? html`<div><span class="muted">sent:</span>${fields(step.sent)}</div>` : ''}
${step.received.length > 0 ? html`<div><span class="muted">received:</span>${fields(step.received)}</div>` : ''}
${step.note ? html`<p class="hint">${step.note}</p>` : ''}
</li>`)}</ol>`}
</section>`;
}

export function landingPage(context: PageContext, steps: readonly TraceStep[], notice?: Notice): RenderedPage {
  const server = new URL(context.issuer).host;
  return page(context, 'Import your contacts', html`
${noticeBlock(notice)}
<h1>Import your contacts</h1>
<section class="card" aria-labelledby="start">
<h2 id="start">Bring your address book over from the Contacts API</h2>
<p>Contacts Importer is a <strong>third-party app</strong>. It never asks for your password: the button below sends
you to the Latchkey server (<code>${server}</code>), where you sign in and decide what this app may do.</p>
<p class="actions"><a class="button" href="/connect">Connect your contacts</a></p>
<p class="hint">Demo account: the username and password are printed in the terminal where <code>npm start</code> runs.</p>
</section>
${flowPanel(steps)}`);
}

export function contactsPage(context: PageContext, input: { who: string; contacts: Contact[]; scopes: readonly string[]; steps: readonly TraceStep[]; notice?: Notice }): RenderedPage {
  return page(context, 'Your contacts', html`
${noticeBlock(input.notice)}
<h1>Your contacts</h1>
<section class="card" aria-labelledby="list">
<h2 id="list">Imported from the Contacts API</h2>
<p class="muted">Connected as <strong>${input.who}</strong>. This app may: ${input.scopes.join(', ')}.</p>
${input.contacts.length === 0 ? html`<p>No contacts yet.</p>` : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Email</th></tr></thead>
<tbody>${input.contacts.map((c) => html`<tr><td>${c.name}</td><td>${c.email}</td></tr>`)}</tbody>
</table></div>`}
<div class="actions">
<a class="button" href="/contacts/new">Add a contact</a>
<form class="inline" method="post" action="/logout"><button class="secondary" type="submit">Disconnect</button></form>
</div>
</section>
${flowPanel(input.steps)}`);
}

export function revokedPage(context: PageContext, steps: readonly TraceStep[]): RenderedPage {
  return page(context, 'Access was revoked', html`
<div class="notice warn" role="alert">
<h1>Access was revoked — reconnect</h1>
<p>The Contacts API no longer accepts the importer's token: the permission you gave Contacts Importer was revoked on
the Latchkey server (or it expired). Nothing is broken and nothing was lost.</p>
<p>To import your contacts again, reconnect and allow access once more.</p>
<p class="actions"><a class="button" href="/connect">Reconnect</a> <a href="${context.issuer}/account">Review your apps on the Latchkey server</a></p>
</div>
${flowPanel(steps)}`);
}

export function newContactPage(context: PageContext, input: { steps: readonly TraceStep[]; values?: { name: string; email: string }; error?: string }): RenderedPage {
  return page(context, 'Add a contact', html`
<h1>Add a contact</h1>
<section class="card" aria-labelledby="form">
<h2 id="form">New contact</h2>
<p class="muted">The importer will add it to your address book in the Contacts API (this needs the "add contacts" permission).</p>
${input.error ? html`<p class="notice error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/contacts">
<label for="name">Name</label>
<input id="name" name="name" required maxlength="100" autocomplete="off" value="${input.values?.name ?? ''}">
<label for="email">Email</label>
<input id="email" name="email" type="email" required maxlength="254" autocomplete="off" value="${input.values?.email ?? ''}">
<div class="actions"><button type="submit">Add contact</button><a href="/">Cancel</a></div>
</form>
</section>
${flowPanel(input.steps)}`);
}

export function problemPage(context: PageContext, input: { title: string; what: string; next: string; action?: { href: string; label: string } }): RenderedPage {
  return page(context, input.title, html`
<div class="notice error" role="alert">
<h1>${input.title}</h1>
<p><strong>What happened:</strong> ${input.what}</p>
<p><strong>What to do:</strong> ${input.next}</p>
</div>
<p class="actions"><a class="button" href="${input.action?.href ?? '/'}">${input.action?.label ?? 'Back to Contacts Importer'}</a></p>`);
}
