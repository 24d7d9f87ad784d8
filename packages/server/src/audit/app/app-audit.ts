// `latchkey audit app`: plays the authorization server against a client app (a relying party) on this machine.
// The app is configured with the test issuer; a real browser (chromium through playwright-core) signs in through it
// once per scenario, honest or tampered, and the audit judges each run by whether the app ended up signed in.
import type { Browser, BrowserContext, BrowserType, Page, Response } from 'playwright-core';
import { buildReport, fail, pass, skipped, type AuditReport, type CheckResult, type Exchange } from '../audit-report.ts';
import { redactUrl } from '../redact-evidence.ts';
import { findTokenExposure } from './browser-token-exposure.ts';
import { followMetaRefreshes, NAVIGATION_TIMEOUT_MS } from './follow-meta-refresh.ts';
import { loadChromiumDriver } from './load-playwright.ts';
import { TestIssuer, type IssuerScenario } from './test-issuer.ts';

export interface AppAuditOptions {
  /** The app's URL that starts a login (it redirects to the test issuer). */
  loginUrl: string;
  /** Port of the test issuer (the app is configured with http://127.0.0.1:<port>); 0 picks a free one. */
  issuerPort: number;
  clientId: string;
  clientSecret?: string | undefined;
  /** The app's redirect URI, exactly as the app sends it. */
  redirectUri: string;
  /** A page of the app that needs a session (default "/"): signed in it answers, signed out it sends the browser to log in. */
  sessionCheckPath?: string | undefined;
  /** A page of the app that makes it use its access token (against <issuer>/api/... or /userinfo), for the refresh check. */
  tokenUsePath?: string | undefined;
  chromiumPath?: string | undefined;
  /** Lifetime of the access token in the refresh run, in seconds (default 2). */
  shortTokenSeconds?: number | undefined;
  /** Called once the test issuer listens, before the first login (start or configure the app here). */
  onIssuerReady?: ((issuer: string) => Promise<void> | void) | undefined;
}

const CHECKS = {
  pkce: { id: 'app.pkce-s256', title: 'the app sends a PKCE S256 code_challenge', rfc: 'RFC 7636 §4.3; RFC 9700 §2.1.1' },
  codeFlow: { id: 'app.code-flow-only', title: 'the app asks only for response_type=code (no implicit flow)', rfc: 'RFC 9700 §2.1.2' },
  state: { id: 'app.state-checked', title: 'a callback with a forged or missing state is refused', rfc: 'RFC 6749 §10.12; RFC 9700 §4.7.1' },
  signature: { id: 'app.id-token-signature', title: 'an ID token signed with another key is refused', rfc: 'OIDC Core §3.1.3.7 (6)' },
  aud: { id: 'app.id-token-aud', title: 'an ID token for another client (aud) is refused', rfc: 'OIDC Core §3.1.3.7 (3)' },
  iss: { id: 'app.id-token-iss', title: 'an ID token from another issuer (iss) is refused', rfc: 'OIDC Core §3.1.3.7 (2)' },
  nonce: { id: 'app.id-token-nonce', title: 'an ID token with the wrong nonce is refused', rfc: 'OIDC Core §3.1.3.7 (11)' },
  storage: { id: 'app.tokens-not-in-browser', title: 'no token reaches cookies, web storage, the page or its URLs', rfc: 'draft-ietf-oauth-browser-based-apps §6.1; RFC 9700 §4.3' },
  refresh: { id: 'app.refresh-before-expiry', title: 'an expired access token is refreshed before it is used', rfc: 'RFC 6749 §1.5, §6' },
} as const;

const TAMPERED: { scenario: IssuerScenario; check: keyof typeof CHECKS; what: string }[] = [
  { scenario: 'wrong-state', check: 'state', what: 'a callback whose state the app never sent' },
  { scenario: 'missing-state', check: 'state', what: 'a callback without state' },
  { scenario: 'bad-signature', check: 'signature', what: 'an ID token signed by a key outside the JWKS' },
  { scenario: 'wrong-aud', check: 'aud', what: 'an ID token with aud "some-other-client"' },
  { scenario: 'wrong-iss', check: 'iss', what: 'an ID token with iss "https://attacker.example"' },
  { scenario: 'wrong-nonce', check: 'nonce', what: 'an ID token with a nonce the app never sent' },
];

const note = (text: string, url = ''): Exchange => ({ request: { method: url ? 'GET' : 'NOTE', url: url ? redactUrl(url) : '' }, note: text });

async function launchChromium(chromium: BrowserType, executablePath: string): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  } catch (error) {
    throw new Error(`cannot start chromium at ${executablePath} (pass --chromium PATH): ${(error as Error).message.split('\n')[0]}`);
  }
}

interface RunResult {
  loggedIn: boolean;
  context: BrowserContext;
  page: Page;
  visitedAfterCallback: string[];
  evidence: Exchange[];
}

class AppAuditRun {
  readonly issuer: TestIssuer;
  readonly browser: Browser;
  readonly options: AppAuditOptions;
  readonly appOrigin: string;

  constructor(issuer: TestIssuer, browser: Browser, options: AppAuditOptions) {
    this.issuer = issuer;
    this.browser = browser;
    this.options = options;
    this.appOrigin = new URL(options.loginUrl).origin;
  }

  /** A browser context with generous timeouts: a loaded machine makes navigations slow, never wrong. */
  async newContext(): Promise<BrowserContext> {
    const context = await this.browser.newContext();
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    context.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
    return context;
  }

  /**
   * Opens `url` in a new tab of `context`, so that nothing still happening in another tab (a late meta refresh after
   * the callback) can interrupt or take over this navigation, and follows the page's own refreshes to the end.
   */
  async open(context: BrowserContext, url: string, evidence: Exchange[], what: string): Promise<{ page: Page; response: Response | null }> {
    const page = await context.newPage();
    const response = await page.goto(url).catch((error: unknown) => {
      evidence.push(note(`${what}: the navigation failed: ${errorLine(error)}`, url));
      return null;
    });
    await this.followRefreshes(page, evidence);
    return { page, response };
  }

  /** Waits for the page's announced refreshes (see follow-meta-refresh.ts) and records where they led. */
  async followRefreshes(page: Page, evidence: Exchange[]): Promise<void> {
    const followed = await followMetaRefreshes(page);
    for (const hop of followed.hops) evidence.push(note(`a meta refresh took the browser on to ${redactUrl(hop)}`));
    if (followed.stuckAt !== undefined) evidence.push(note(`${redactUrl(followed.stuckAt)} ${followed.stuck}`));
  }

  /**
   * Whether the app treats the browser (`context`) as signed in: the session check page, opened in a tab of its own,
   * answers below 400 on the app's origin without sending the browser to the issuer again.
   */
  async signedIn(context: BrowserContext, evidence: Exchange[]): Promise<boolean> {
    this.issuer.acceptingLogins = false;
    const before = this.issuer.authorizeRequests.length;
    const url = new URL(this.options.sessionCheckPath ?? '/', this.appOrigin).toString();
    const { page, response } = await this.open(context, url, evidence, 'session check');
    const askedAgain = this.issuer.authorizeRequests.length > before;
    const status = response?.status();
    const landed = page.url();
    await page.close();
    const onApp = new URL(landed).origin === this.appOrigin;
    const loggedIn = !askedAgain && status !== undefined && status < 400 && onApp;
    const saw = askedAgain ? `the app sent the browser to log in again (to ${redactUrl(landed).split('?')[0]})`
      : status === undefined ? `no response; the browser is at ${redactUrl(landed)}`
      : `answered ${status}; the browser is at ${redactUrl(landed)}${onApp ? '' : ', off the app\'s origin'}`;
    evidence.push(note(`session check ${new URL(url).pathname} in a new tab: ${saw} → ${loggedIn ? 'signed in' : 'not signed in'}`, url));
    return loggedIn;
  }

  /** One login in a fresh browser with the issuer in `scenario`. */
  async login(scenario: IssuerScenario): Promise<RunResult> {
    const context = await this.newContext();
    const page = await context.newPage();
    const visited: string[] = [];
    let afterCallback = false;
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      if (afterCallback) visited.push(frame.url());
      if (frame.url().startsWith(this.options.redirectUri)) afterCallback = true;
    });
    let callbackStatus: number | undefined;
    page.on('response', (response) => {
      if (response.frame() === page.mainFrame() && response.request().isNavigationRequest() && response.url().startsWith(this.options.redirectUri)) callbackStatus = response.status();
    });
    this.issuer.scenario = scenario;
    this.issuer.acceptingLogins = true;
    const evidence: Exchange[] = [];
    const before = this.issuer.authorizeRequests.length;
    const tokenRequestsBefore = this.issuer.tokenRequests.length;
    await page.goto(this.options.loginUrl).catch((error: unknown) => {
      evidence.push(note(`the login navigation failed: ${errorLine(error)}`));
    });
    const request = this.issuer.authorizeRequests[before];
    evidence.push(request ? note(`scenario ${scenario}: the app sent the browser to the issuer`, `${this.issuer.issuer}/authorize?${request}`) : note(`scenario ${scenario}: the app never sent the browser to the issuer`));
    if (request) {
      evidence.push(note(callbackStatus === undefined ? 'the browser never reached the callback' : `the app answered the callback with ${callbackStatus}`));
      const redemptions = this.issuer.tokenRequests.slice(tokenRequestsBefore);
      evidence.push(note(redemptions.length === 0 ? 'the app made no token request'
        : `token requests: ${redemptions.map((r) => `${r.grantType || '(no grant_type)'} → ${r.outcome ?? 'unanswered'}`).join(', ')}`));
    }
    // The app's own navigation after the callback (the client kit's landing page refreshes to the return target)
    // runs to its end before anything is judged or read from this page.
    await this.followRefreshes(page, evidence);
    evidence.push(note(`after the callback the browser settled at ${redactUrl(page.url())}`));
    const loggedIn = request !== undefined && await this.signedIn(context, evidence);
    this.issuer.scenario = 'honest';
    return { loggedIn, context, page, visitedAfterCallback: visited, evidence };
  }
}

/** The first line of an error, with any URL in it redacted (codes travel in URLs). */
function errorLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return line.replace(/https?:\/\/[^\s"']+/g, (url) => redactUrl(url));
}

export async function auditApp(options: AppAuditOptions): Promise<AuditReport> {
  // First, so that a missing playwright-core is reported before the issuer starts and the app is waited for.
  const chromium = await loadChromiumDriver();
  const issuer = new TestIssuer({ port: options.issuerPort, clientId: options.clientId, clientSecret: options.clientSecret, redirectUri: options.redirectUri });
  await issuer.start();
  let browser: Browser | undefined;
  try {
    await options.onIssuerReady?.(issuer.issuer);
    browser = await launchChromium(chromium, options.chromiumPath ?? '/usr/bin/chromium');
    const run = new AppAuditRun(issuer, browser, options);
    const results = await runChecks(run, issuer, options);
    return buildReport('app', options.loginUrl, results, issuer.requestCount);
  } finally {
    await browser?.close().catch(() => {});
    await issuer.close();
  }
}

async function runChecks(run: AppAuditRun, issuer: TestIssuer, options: AppAuditOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const all = Object.values(CHECKS);
  const skipAll = (reason: string, evidence: Exchange[] = []) => all.filter((c) => !results.some((r) => r.id === c.id)).map((c) => skipped(c, reason, evidence));

  // Signed out, the session check page must not look signed in, or no run can be judged.
  const fresh = await run.newContext();
  const freshEvidence: Exchange[] = [];
  const looksSignedIn = await run.signedIn(fresh, freshEvidence);
  await fresh.close();
  if (looksSignedIn) return skipAll(`the session check page ${options.sessionCheckPath ?? '/'} answers the same signed out; pass --session-check-path with a page that needs a login`, freshEvidence);

  const honest = await run.login('honest');
  const honestRequest = issuer.authorizeRequests.find((p) => p.get('response_type') !== null);
  if (!honestRequest) {
    await honest.context.close();
    return skipAll(`the login URL never sent the browser to the test issuer (${issuer.issuer}/authorize): is the app configured with it?`, honest.evidence);
  }
  if (!honest.loggedIn) {
    await honest.context.close();
    return skipAll('an honest login did not leave the app signed in: check the client id, secret, redirect URI and --session-check-path', honest.evidence);
  }

  const challenge = honestRequest.get('code_challenge');
  const method = honestRequest.get('code_challenge_method');
  const requestNote = [note('the honest authorization request', `${issuer.issuer}/authorize?${honestRequest}`)];
  results.push(challenge && method === 'S256' ? pass(CHECKS.pkce, 'code_challenge with method S256', requestNote)
    : fail(CHECKS.pkce, challenge ? `code_challenge_method is ${method ?? 'absent (plain)'}` : 'no code_challenge: a stolen code can be redeemed by anyone', requestNote));

  const exposure = await findTokenExposure(honest.context, honest.page, [...issuer.issuedTokens], honest.visitedAfterCallback);
  await honest.context.close();
  results.push(exposure.length === 0
    ? pass(CHECKS.storage, 'cookies, localStorage, sessionStorage, the page and its URLs hold no token')
    : fail(CHECKS.storage, exposure.map((f) => `${f.where} ${f.what}`).join('; '), exposure.map((f) => note(`${f.where}: ${f.what}`))));

  const sentState = honestRequest.get('state');
  const sentNonce = honestRequest.get('nonce');
  const byCheck = new Map<string, { accepted: string[]; refused: string[]; evidence: Exchange[] }>();
  for (const tamper of TAMPERED) {
    if (tamper.check === 'nonce' && !sentNonce) continue;
    const result = await run.login(tamper.scenario);
    await result.context.close();
    const entry = byCheck.get(tamper.check) ?? { accepted: [], refused: [], evidence: [] };
    (result.loggedIn ? entry.accepted : entry.refused).push(tamper.what);
    entry.evidence.push(...result.evidence);
    byCheck.set(tamper.check, entry);
  }
  for (const key of ['state', 'signature', 'aud', 'iss', 'nonce'] as const) {
    const check = CHECKS[key];
    const entry = byCheck.get(key);
    if (!entry) {
      results.push(skipped(check, 'the app sends no nonce, so there is none to check (PKCE protects its code flow)'));
      continue;
    }
    const noState = key === 'state' && !sentState;
    if (entry.accepted.length > 0 || noState) results.push(fail(check, `${noState ? 'the app sends no state; ' : ''}${entry.accepted.length ? `signed in after ${entry.accepted.join('; ')}` : ''}`.replace(/; $/, ''), entry.evidence));
    else results.push(pass(check, `refused ${entry.refused.join('; ')}`, entry.evidence));
  }

  const responseTypes = [...new Set(issuer.authorizeRequests.map((p) => p.get('response_type') ?? '(none)'))];
  results.push(responseTypes.every((t) => t === 'code')
    ? pass(CHECKS.codeFlow, `${issuer.authorizeRequests.length} authorization request(s), all response_type=code`)
    : fail(CHECKS.codeFlow, `the app asked for response_type ${responseTypes.join(', ')}`, requestNote));

  results.push(await refreshCheck(run, issuer, options));
  return results;
}

async function refreshCheck(run: AppAuditRun, issuer: TestIssuer, options: AppAuditOptions): Promise<CheckResult> {
  if (!options.tokenUsePath) return skipped(CHECKS.refresh, 'needs --token-use-path: a page of the app that calls an API with its access token');
  const seconds = options.shortTokenSeconds ?? 2;
  issuer.accessTokenSeconds = seconds;
  const result = await run.login('honest');
  issuer.accessTokenSeconds = 3600;
  const evidence = [...result.evidence];
  try {
    const issuedAt = issuer.tokenRequests.filter((r) => r.grantType === 'authorization_code').at(-1)?.at;
    if (!result.loggedIn || issuedAt === undefined) return skipped(CHECKS.refresh, 'the login for the refresh run did not complete', evidence);
    // Wait until the access token has certainly expired; a slow machine only makes it more expired.
    const wait = issuedAt + seconds * 1000 + 500 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const expiredSince = issuedAt + seconds * 1000;
    const url = new URL(options.tokenUsePath, run.appOrigin).toString();
    const { response } = await run.open(result.context, url, evidence, 'token-use page');
    evidence.push(note(`opened the token-use page after the ${seconds} s access token expired: ${response?.status() ?? 'no response'}`, url));
    const refreshes = issuer.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.at >= expiredSince);
    const calls = issuer.apiCalls.filter((c) => c.at >= expiredSince);
    const firstRefresh = refreshes[0]?.at;
    const staleCalls = calls.filter((c) => c.expired && (firstRefresh === undefined || c.at <= firstRefresh));
    evidence.push(note(`after expiry: ${refreshes.length} refresh request(s), ${calls.length} API call(s), ${staleCalls.length} with the expired token`));
    if (firstRefresh !== undefined && staleCalls.length === 0) return pass(CHECKS.refresh, 'the app refreshed the expired access token before using it', evidence);
    if (firstRefresh !== undefined) return fail(CHECKS.refresh, 'the app refreshed only after an API refused its expired access token', evidence);
    if (calls.length === 0) return skipped(CHECKS.refresh, `the token-use page made no call to ${issuer.issuer}/api/... or /userinfo`, evidence);
    return fail(CHECKS.refresh, 'the app kept presenting an expired access token and never refreshed it', evidence);
  } finally {
    await result.context.close();
  }
}
