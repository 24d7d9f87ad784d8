// The shared page layout: no third-party resources, a strict Content-Security-Policy with the inline style
// allowed by its hash, no framing (RFC 9700 §4.16: frame-ancestors 'none'), no referrer.
// Pages with forms carry no form-action directive: browsers apply it to every hop of the redirect chain that
// follows the POST (our 303 to the client, then the client's own redirects, possibly to another origin), which no
// source list can predict. Pages without forms forbid form targets altogether.
import { createHash } from 'node:crypto';
import { html, raw, type Html } from './html.ts';

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center; background: Canvas; color: CanvasText; }
main { width: min(26rem, 92vw); padding: 2rem; border: 1px solid GrayText; border-radius: 0.75rem; }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { box-sizing: border-box; width: 100%; padding: 0.55rem; margin-top: 0.3rem; font-size: 1rem; }
button { margin-top: 1.25rem; padding: 0.6rem 1.2rem; font-size: 1rem; cursor: pointer; }
.actions { display: flex; gap: 0.75rem; }
.error { color: #b00020; font-weight: 600; }
.muted { color: GrayText; font-size: 0.9rem; }
code { word-break: break-all; }
.notice { padding: 0.6rem 0.8rem; border-left: 4px solid #2e7d32; }
.unverified { padding: 0.6rem 0.8rem; border-left: 4px solid #b26a00; }
.apps { list-style: none; padding: 0; }
.app { border-top: 1px solid GrayText; padding: 0.5rem 0 1rem; }
.app h2 { font-size: 1.1rem; margin-bottom: 0.25rem; }
`;

/** A CSP hash source (CSP Level 3 §2.3.1) for an inline style or script. */
function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

const STYLE_HASH = sha256Source(STYLE);

export interface RenderedPage {
  html: string;
  /** The Content-Security-Policy header for this page. */
  csp: string;
}

export interface LayoutOptions {
  title: string;
  /** Pages without forms get form-action 'none'. */
  hasForms?: boolean;
  /** A fixed inline script, allowed by its hash (never built from request data). */
  script?: string;
}

export function renderPage(options: LayoutOptions, body: Html): RenderedPage {
  const csp = [
    "default-src 'none'", `style-src ${STYLE_HASH}`, ...(options.script ? [`script-src ${sha256Source(options.script)}`] : []), ...(options.hasForms ? [] : ["form-action 'none'"]), "frame-ancestors 'none'", "base-uri 'none'",
  ].join('; ');
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
${options.script ? html`<script>${raw(options.script)}</script>` : ''}
</body>
</html>
`;
  return { html: page.__html, csp };
}
