// The shared page layout: no third-party resources, a strict Content-Security-Policy with the inline style
// allowed by its hash, no framing (RFC 9700 §4.16: frame-ancestors 'none'), no referrer.
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
.apps { list-style: none; padding: 0; }
.app { border-top: 1px solid GrayText; padding: 0.5rem 0 1rem; }
.app h2 { font-size: 1.1rem; margin-bottom: 0.25rem; }
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export interface RenderedPage {
  html: string;
  /** The Content-Security-Policy header for this page. */
  csp: string;
}

export interface LayoutOptions {
  title: string;
  /**
   * Where this page's forms may lead, beyond the server itself: the client's redirect URI origin, because
   * browsers apply form-action to the redirect that follows a form submission.
   */
  formTargets?: string[];
  /** Pages without forms forbid every form target. */
  hasForms?: boolean;
}

/** The CSP source expression for a redirect URI: its origin, or its scheme for a native app's private-use scheme. */
export function cspSourceFor(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
  } catch {
    return undefined;
  }
}

export function renderPage(options: LayoutOptions, body: Html): RenderedPage {
  const targets = options.hasForms ? ["'self'", ...(options.formTargets ?? [])].join(' ') : "'none'";
  const csp = [
    "default-src 'none'", `style-src ${STYLE_HASH}`, `form-action ${targets}`, "frame-ancestors 'none'", "base-uri 'none'",
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
</body>
</html>
`;
  return { html: page.__html, csp };
}
