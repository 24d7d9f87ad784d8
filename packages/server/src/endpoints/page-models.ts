// What the browser-facing endpoints show, as data: each page model names its view and carries what the view
// needs. The endpoints return these; http/ renders them (http/views/) and sends them (design.md: one direction).

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

export interface AccountPageModel {
  view: 'account';
  username: string;
  apps: ConnectedApp[];
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

export type PageModel = LoginPageModel | SecondFactorPageModel | ConsentPageModel | AccountPageModel | ErrorPageModel | FormPostPageModel;

/** A link on the start page (/). */
export interface HomeLink {
  label: string;
  href: string;
  description: string;
}
