// What the browser-facing endpoints show, as data: each page model names its view and carries what the view
// needs. The endpoints return these; http/ renders them (http/views/) and sends them (design.md: one direction).

/** How a page marks a client nobody vetted: its host name, who did not verify it, and where the answer goes. */
export interface UnverifiedClient {
  host: string;
  operatorName: string;
  /** The redirect URI's host (or private-use scheme). */
  redirectHost: string;
  /** The redirect URI is on the user's own machine (loopback). */
  redirectIsLocal: boolean;
}

/** A WebAuthn ceremony a page offers: its options (JSON for the browser library), where the answer is posted, the scripts. */
export interface PasskeyCeremony {
  action: string;
  /** PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON, as JSON text. */
  options: string;
  scripts: readonly string[];
}

export interface LoginPageModel {
  view: 'login';
  /** Where the form posts (absolute, under the issuer). */
  action: string;
  clientName: string;
  csrfToken: string;
  username?: string | undefined;
  /** A message shown above the form (wrong credentials, throttled). */
  error?: string | undefined;
  /** Set for a dynamically registered or metadata document client. */
  unverified?: UnverifiedClient;
  /** Why the user is asked to sign in (again), e.g. before an account change. */
  notice?: string | undefined;
  /** "Sign in with a passkey" and passkey autofill in the username field. */
  passkey?: PasskeyCeremony | undefined;
}

/** After the password, or for a session a client finds too weak (step-up): a second factor for a known user. */
export interface SecondFactorPageModel {
  view: 'second-factor';
  clientName: string;
  username: string;
  csrfToken: string;
  /** Why it is asked (the client requires it, the user has a second factor). */
  reason: string;
  /** Where a TOTP or recovery code is posted, when the user has an authenticator app. */
  codeAction?: string | undefined;
  /** The account page's pending sign-in (accounts/second-factor.ts), sent back with the code. */
  pendingToken?: string | undefined;
  /** The user's passkeys, when they have some. */
  passkey?: PasskeyCeremony | undefined;
  /** No way to step up exists: where the user can add one. */
  accountUrl?: string | undefined;
  error?: string | undefined;
}

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** Backed up (synced) to a provider: usable on the user's other devices. */
  synced: boolean;
}

export interface ConsentPageModel {
  view: 'consent';
  /** Where the form posts (absolute, under the issuer). */
  action: string;
  clientName: string;
  username: string;
  csrfToken: string;
  /** Human descriptions of the scopes to approve now. */
  scopeDescriptions: string[];
  /** Descriptions of scopes approved earlier, shown for context. */
  alreadyGranted: string[];
  /** For the device flow (RFC 8628 §3.3): the user code the form carries, and the warning to check it on the device. */
  device?: { userCode: string } | undefined;
  /** Set for a dynamically registered or metadata document client. */
  unverified?: UnverifiedClient;
}

/** RFC 8628 §3.3: the page where a signed-in user types (or confirms) the code their device shows. */
export interface DeviceCodePageModel {
  view: 'device-code';
  /** Where the form posts (absolute, under the issuer). */
  action: string;
  username: string;
  csrfToken: string;
  /** The code from verification_uri_complete or the previous attempt, pre-filled for the user to check. */
  userCode?: string | undefined;
  error?: string | undefined;
}

/** After the decision on a device code: what happens on the device now. */
export interface DeviceDonePageModel {
  view: 'device-done';
  clientName: string;
  approved: boolean;
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  /** Human descriptions of the scopes the app holds. */
  scopes: string[];
  grantedAt: number;
  /** When the app last obtained tokens (code exchange or refresh); null if never. */
  lastUsedAt: number | null;
}

/** A live sign-in session of the user, for the account page. */
export interface ActiveSession {
  sid: string;
  /** "Firefox on Linux" (from the User-Agent). */
  device: string;
  lastActiveAt: number;
  /** The session of the browser looking at the page. */
  current: boolean;
}

export interface AccountPageModel {
  view: 'account';
  username: string;
  apps: ConnectedApp[];
  sessions: ActiveSession[];
  /** Where "Sign out" of one session (field sid) or of all (field all=1) posts. */
  sessionsSignOutAction: string;
  csrfToken: string;
  revokeAction: string;
  signOutAction: string;
  /** The name of an app whose access was just revoked, for the confirmation line. */
  revoked?: string | undefined;
  /** A confirmation line (passkey added, removed, password removed). */
  notice?: string | undefined;
  error?: string | undefined;
  passkeys: PasskeyView[];
  hasPassword: boolean;
  /** Sign-in methods may be changed only shortly after signing in; otherwise this link re-authenticates. */
  reauthenticateUrl?: string | undefined;
  /** Adding a passkey (absent when a recent sign-in is needed first). */
  passkeyAdd?: PasskeyCeremony | undefined;
  passkeyRemoveAction: string;
  passwordRemoveAction: string;
  /** Setting a new password (or a first one, for a user without). */
  passwordChangeAction: string;
  /** The authenticator app: confirmed (with when and how many recovery codes are left), or being set up. */
  totp: { confirmedAt: number; recoveryCodesLeft: number } | undefined;
  totpStartAction: string;
  totpRemoveAction: string;
  /** An enrolment waiting for its first code: the QR code (inline SVG made by this server), the secret as text. */
  totpSetup?: { qrSvg: string; secret: string; confirmAction: string } | undefined;
  /** Recovery codes just made, shown this once. */
  recoveryCodes?: string[] | undefined;
}

export interface ErrorPageModel {
  view: 'error';
  title: string;
  message: string;
  /** Extra lines for developers; the caller passes them only in dev mode. */
  details?: string[];
  requestId: string;
}

/** OAuth 2.0 Form Post Response Mode §2: a page that POSTs the authorization response to the client. */
export interface FormPostPageModel {
  view: 'form-post';
  /** The client's redirect URI. */
  action: string;
  fields: Record<string, string>;
}

/** RP-Initiated Logout 1.0 §4: asks the user before signing out on a request that may not be theirs. */
export interface LogoutConfirmPageModel {
  view: 'logout-confirm';
  /** Where the form posts (absolute, under the issuer). */
  action: string;
  csrfToken: string;
  username: string;
  /** The application that asked, when it is known and trusted. */
  clientName?: string | undefined;
  /** client_id, post_logout_redirect_uri (registered) and state, re-validated when the form comes back. */
  fields: Record<string, string>;
}

/** "You are signed out" (or, after "Stay signed in", that nothing changed), when there is nowhere to go back to. */
export interface SignedOutPageModel {
  view: 'signed-out';
  clientName?: string | undefined;
  stillSignedIn: boolean;
}

export type PageModel = LoginPageModel | SecondFactorPageModel | ConsentPageModel | AccountPageModel | ErrorPageModel | FormPostPageModel | DeviceCodePageModel | DeviceDonePageModel | LogoutConfirmPageModel | SignedOutPageModel;

/** A link on the start page (/). */
export interface HomeLink {
  label: string;
  href: string;
  description: string;
}
