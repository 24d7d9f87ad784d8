// The server's start page (/): what is running here, and where to go next.
import { html } from './html.ts';
import type { HomeLink } from '../../endpoints/page-models.ts';
import { renderPage, type RenderedPage } from './layout.ts';

export interface HomePageInput {
  issuer: string;
  dev: boolean;
  links: HomeLink[];
  /** Links other parts of the installation added (in dev mode, the demo apps). */
  extraLinks: HomeLink[];
}

const list = (links: HomeLink[]) => html`<ul>${links.map((l) => html`<li><a href="${l.href}">${l.label}</a>: ${l.description}</li>`)}</ul>`;

export function homePage(input: HomePageInput): RenderedPage {
  return renderPage({ title: 'Latchkey' }, html`
<h1>Latchkey</h1>
<p>This is a Latchkey authorization server (OAuth 2.1 and OpenID Connect). Its issuer is <code>${input.issuer}</code>.
Apps send people here to sign in and to approve what the app may do; the password is typed only on this server.</p>
${input.dev ? html`<p class="notice" role="status">Dev mode: plain http and a generated secret are allowed. Never run --dev in production.</p>` : ''}
${list(input.links)}
${input.extraLinks.length > 0 ? html`<h2>Demo</h2>${list(input.extraLinks)}` : ''}`);
}
