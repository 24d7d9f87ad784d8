// The shared page layout: one accessible, responsive design for every page (WCAG 2.2 AA: labels, visible focus,
// contrast, reflow down to 320 CSS pixels), branded by the operator (product name, logo, accent colour), with no
// third-party resources: a strict Content-Security-Policy allows the inline style by its hash, scripts only by their
// exact URLs on this server (or a fixed inline script by its hash), the logo by its exact URL, no framing
// (RFC 9700 §4.16: frame-ancestors 'none'), no referrer.
// Pages with forms carry no form-action directive: browsers apply it to every hop of the redirect chain that
// follows the POST (our 303 to the client, then the client's own redirects, possibly to another origin), which no
// source list can predict. Pages without forms forbid form targets altogether.
import { createHash } from 'node:crypto';
import { html, raw, type Html } from './html.ts';

/** What the operator configures about the pages' looks (config: productName, logoUrl, brandColor). */
export interface Branding {
  productName: string;
  /** '' for none. */
  logoUrl: string;
  /** #rrggbb, dark enough for white text (checked by the configuration). */
  brandColor: string;
}

export const DEFAULT_BRANDING: Branding = { productName: 'Latchkey', logoUrl: '', brandColor: '#1f5fbf' };

function style(brand: Branding): string {
  return `
:root { color-scheme: light dark; --accent: ${brand.brandColor}; --text: #1b1f24; --muted: #4f5862; --bg: #f3f5f8; --card: #ffffff;
  --line: #c9d0d8; --danger: #b3261e; --ok: #1e6b34; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
@media (prefers-color-scheme: dark) { :root { --text: #e8eaed; --muted: #b4bcc6; --bg: #14171b; --card: #1e2227; --line: #434a53; --danger: #ff9e97; --ok: #8fd19e; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; background: var(--bg); color: var(--text); font-size: 1rem; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: 0.5rem; z-index: 1; }
header.brand { display: flex; align-items: center; gap: 0.6rem; padding: 1.25rem 1rem 0.5rem; font-weight: 700; font-size: 1.1rem; }
header.brand img { height: 2rem; width: auto; max-width: 10rem; }
main { width: min(30rem, 100%); margin: 0.5rem 0 2rem; padding: 1.75rem; background: var(--card); border: 1px solid var(--line); border-radius: 0.9rem; }
@media (max-width: 30rem) { main { border-radius: 0; border-left: 0; border-right: 0; padding: 1.25rem 1rem; } }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 0.75rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
a { color: var(--accent); } @media (prefers-color-scheme: dark) { a { color: var(--text); } }
label { display: block; margin-top: 1rem; font-weight: 600; }
input[type=text], input[type=password], input:not([type]), input[inputmode] { width: 100%; padding: 0.65rem 0.7rem; margin-top: 0.3rem; font-size: 1rem;
  border: 1px solid var(--muted); border-radius: 0.5rem; background: var(--card); color: var(--text); }
button { margin-top: 1.1rem; min-height: 2.75rem; padding: 0.6rem 1.2rem; font-size: 1rem; font-weight: 600; cursor: pointer; border-radius: 0.5rem;
  border: 2px solid var(--accent); background: var(--accent); color: #fff; }
button.secondary { background: transparent; color: var(--text); border-color: var(--muted); }
button.wide { width: 100%; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
@media (prefers-color-scheme: dark) { :focus-visible { outline-color: var(--text); } }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.error { color: var(--danger); font-weight: 600; }
.muted { color: var(--muted); font-size: 0.92rem; }
.or { display: flex; align-items: center; gap: 0.75rem; color: var(--muted); margin: 1.25rem 0 0; }
.or::before, .or::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
code, .secret { word-break: break-all; font-family: ui-monospace, monospace; }
.notice { padding: 0.6rem 0.8rem; border-left: 4px solid var(--ok); }
.unverified { padding: 0.6rem 0.8rem; border-left: 4px solid #b26a00; }
.items { list-style: none; padding: 0; margin: 0; }
.item { border-top: 1px solid var(--line); padding: 0.5rem 0 1rem; }
.item h3 { font-size: 1.05rem; margin: 0.5rem 0 0.25rem; }
.codes { columns: 2; font-family: ui-monospace, monospace; font-size: 1.05rem; }
.qr svg { width: 12rem; height: 12rem; background: #fff; padding: 0.5rem; border-radius: 0.5rem; }
summary { cursor: pointer; margin-top: 1rem; font-weight: 600; }
[hidden] { display: none !important; }
`;
}

/** A CSP hash source (CSP Level 3 §2.3.1) for an inline style or script. */
function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

const styles = new Map<string, { text: string; hash: string }>();
function styleFor(brand: Branding): { text: string; hash: string } {
  let entry = styles.get(brand.brandColor);
  if (!entry) {
    const text = style(brand);
    entry = { text, hash: sha256Source(text) };
    styles.set(brand.brandColor, entry);
  }
  return entry;
}

export interface LayoutOptions {
  title: string;
  /** Pages without forms get form-action 'none'. */
  hasForms?: boolean;
  /** A fixed inline script, allowed by its hash (never built from request data). */
  script?: string;
  /** Scripts served by this server, by absolute URL (each allowed by its exact URL, loaded deferred in order). */
  scripts?: readonly string[];
}

/** A page's content; http/browser-response.ts lays it out with the server's branding (`layoutPage`). */
export interface RenderedPage {
  options: LayoutOptions;
  body: Html;
}

export function renderPage(options: LayoutOptions, body: Html): RenderedPage {
  return { options, body };
}

export function layoutPage(content: RenderedPage, brand: Branding): { html: string; csp: string } {
  const { options, body } = content;
  const { text, hash } = styleFor(brand);
  const scriptSources = [...(options.scripts ?? []), ...(options.script ? [sha256Source(options.script)] : [])];
  const csp = [
    "default-src 'none'", `style-src ${hash}`, ...(scriptSources.length > 0 ? [`script-src ${scriptSources.join(' ')}`] : []),
    ...(brand.logoUrl ? [`img-src ${brand.logoUrl}`] : []),
    ...(options.hasForms ? [] : ["form-action 'none'"]), "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · ${brand.productName}</title>
<style>${raw(text)}</style>
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>
`)}</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="brand">${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="">` : ''}<span>${brand.productName}</span></header>
<main id="content">
${body}
</main>
${options.script ? html`<script>${raw(options.script)}</script>` : ''}
</body>
</html>
`;
  return { html: page.__html, csp };
}
