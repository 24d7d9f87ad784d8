// The browser part of @simplewebauthn (its UMD bundle, which defines window.SimpleWebAuthnBrowser), read once from the
// installed package so the server serves it itself: no third-party script, and the CSP names its exact URL.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let bundle: string | undefined;

export function webauthnBrowserBundle(): string {
  if (bundle === undefined) {
    // The package exports only its entry point; the bundle sits two folders above it (script/index.js -> dist/bundle/).
    const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
    bundle = readFileSync(join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
  }
  return bundle;
}
