// The demo apps' page layout: no external fonts, scripts or CDN assets, one inline stylesheet allowed by its hash in
// a strict Content-Security-Policy, no framing, referrers only within the same origin (URLs never leak to other
// sites, while same-origin form posts keep the Origin header that the importer and the client kit check).
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { html, raw, type Html } from './html.ts';

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #ffffff; --text: #1b1d21; --muted: #4a4f57; --line: #c9ced6;
  --accent: #0b5e44; --accent-text: #ffffff; --ok-bg: #e3f4ec; --warn-bg: #fff4d6; --warn-line: #8a6100; --error: #a3121f; --focus: #1a5fd0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
:root.api { --accent: #3b3a9c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111317; --card: #1b1e24; --text: #eceef1; --muted: #b7bdc6; --line: #3a404a; --accent: #5fd3a6; --accent-text: #0b1512;
    --ok-bg: #173326; --warn-bg: #3a2e0c; --warn-line: #f0c35a; --error: #ff8a94; --focus: #8ab4ff; }
  :root.api { --accent: #aeb0ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: inherit; text-underline-offset: 0.2em; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: 0.5rem 1rem; z-index: 1; }
.skip:focus { left: 0.5rem; top: 0.5rem; }
header.site { background: var(--accent); color: var(--accent-text); }
header.site .bar { max-width: 60rem; margin: 0 auto; padding: 0.8rem 1.25rem; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: baseline; justify-content: space-between; }
header.site .name { font-weight: 700; font-size: 1.15rem; }
header.site .origin { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 0 0 0.75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 0.75rem; padding: 1.25rem; margin: 0 0 1.25rem; }
.muted { color: var(--muted); }
.button, button { display: inline-block; font: inherit; font-weight: 600; padding: 0.6rem 1.1rem; border-radius: 0.5rem; border: 2px solid var(--accent);
  background: var(--accent); color: var(--accent-text); text-decoration: none; cursor: pointer; }
.button.secondary, button.secondary { background: transparent; color: var(--text); }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-top: 1rem; }
.inline { display: inline; margin: 0; }
.notice { border-left: 5px solid var(--accent); background: var(--ok-bg); padding: 0.8rem 1rem; border-radius: 0.4rem; margin: 0 0 1.25rem; }
.notice.warn { border-color: var(--warn-line); background: var(--warn-bg); }
.notice.error { border-color: var(--error); }
.notice p { margin: 0.25rem 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input { font: inherit; width: 100%; max-width: 28rem; padding: 0.55rem; margin-top: 0.3rem; border: 1px solid var(--muted); border-radius: 0.4rem; background: var(--card); color: var(--text); }
.hint { font-size: 0.9rem; color: var(--muted); margin: 0.2rem 0 0; }
ol.steps { padding-left: 1.4rem; margin: 0; }
ol.steps > li { margin: 0 0 0.9rem; }
.step-title { font-weight: 600; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.88rem; overflow-wrap: anywhere; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem; margin: 0.4rem 0 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; }
.redacted { font-style: italic; color: var(--muted); }
footer { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem 2rem; color: var(--muted); font-size: 0.9rem; }
@media (max-width: 40rem) { dl.kv { grid-template-columns: 1fr; } dl.kv dd { margin-bottom: 0.4rem; } h1 { font-size: 1.35rem; } }
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export interface SiteIdentity {
  /** Shown in the top bar, so a learner always knows which site they are on. */
  name: string;
  origin: string;
  /** Colour theme: each site of the demo has its own. */
  theme: 'importer' | 'api';
}

export interface PageOptions {
  site: SiteIdentity;
  title: string;
  /** Origins this page's forms may lead to besides itself (form-action also applies to the redirects after a POST). */
  formTargets?: string[];
  footer?: Html;
}

export interface RenderedPage {
  html: string;
  csp: string;
}

export function renderPage(options: PageOptions, body: Html): RenderedPage {
  const csp = [
    "default-src 'none'", `style-src ${STYLE_HASH}`, `form-action 'self' ${(options.formTargets ?? []).join(' ')}`.trim(),
    "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
  const page = html`<!doctype html>
<html lang="en" class="${options.site.theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · ${options.site.name}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="bar"><span class="name">${options.site.name}</span><span class="origin">${options.site.origin}</span></div></header>
<main id="main">
${body}
</main>
${options.footer ? html`<footer>${options.footer}</footer>` : ''}
</body>
</html>
`;
  return { html: page.__html, csp };
}

/** Sends a page with the headers every demo page carries. */
export function sendPage(reply: FastifyReply, page: RenderedPage, status = 200): FastifyReply {
  return reply.code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', page.csp)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .send(page.html);
}
