// The scenarios of `npm run bench -- --scenario NAME` and the goals of issue 21 they measure. Ratios are always
// "higher is better for Latchkey": throughput latchkey / other; for start-up time and idle RSS, other / latchkey.
import type { ServerName, ServerSetup } from './child-protocol.ts';
import type { WorkloadKind } from './workloads.ts';

export const SCENARIO_NAMES = ['cc', 'cc-info', 'cc-rs256', 'code', 'refresh', 'introspect', 'verify', 'startup'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

interface ScenarioBase {
  name: ScenarioName;
  title: string;
}

/** Servers loaded with autocannon; compared by flows per second. */
export interface LoadScenario extends ScenarioBase {
  kind: 'load';
  workload: WorkloadKind;
  servers: readonly ServerName[];
  setup: ServerSetup;
}

/** Servers started and asked once: time to first answer and idle RSS. */
export interface StartupScenario extends ScenarioBase {
  kind: 'startup';
  servers: readonly ServerName[];
  setup: ServerSetup;
}

/** In this process: the resource kit against raw jose. */
export interface VerifyScenario extends ScenarioBase {
  kind: 'verify';
}

export type Scenario = LoadScenario | StartupScenario | VerifyScenario;

const WARN_ES256: ServerSetup = { accessTokenAlg: 'ES256', latchkeyLogLevel: 'warn', userAccessTokenFormat: 'jwt' };
const ALL: readonly ServerName[] = ['latchkey', 'latchkey-postgres', 'oidc-provider', 'ceiling'];

export const SCENARIOS: readonly Scenario[] = [
  { name: 'cc', kind: 'load', workload: 'cc', servers: ALL, setup: WARN_ES256,
    title: 'client credentials, ES256 access token, Latchkey at log level warn' },
  { name: 'cc-info', kind: 'load', workload: 'cc', servers: ['latchkey', 'oidc-provider'], setup: { ...WARN_ES256, latchkeyLogLevel: 'info' },
    title: 'client credentials, ES256, Latchkey at its default log level (info: one line per request, to /dev/null)' },
  { name: 'cc-rs256', kind: 'load', workload: 'cc', servers: ['latchkey', 'oidc-provider', 'ceiling'], setup: { ...WARN_ES256, accessTokenAlg: 'RS256', latchkeyLogLevel: 'info' },
    title: 'client credentials, RS256 access token, Latchkey at its default log level (info)' },
  { name: 'code', kind: 'load', workload: 'code', servers: ALL, setup: WARN_ES256,
    title: 'code flow with an SSO session: authorize (session cookie) + token (ES256 access, RS256 ID, refresh token); per flow' },
  { name: 'refresh', kind: 'load', workload: 'refresh', servers: ALL, setup: WARN_ES256,
    title: 'refresh rotation: refresh_token grant, new access, ID and refresh token each time' },
  { name: 'introspect', kind: 'load', workload: 'introspect', servers: ['latchkey', 'latchkey-postgres', 'oidc-provider'],
    setup: { ...WARN_ES256, userAccessTokenFormat: 'opaque' },
    title: 'introspection of a user\'s access token by the API (Latchkey: its JWT; oidc-provider: its opaque token)' },
  { name: 'verify', kind: 'verify', title: 'resource kit verify vs raw jose.jwtVerify (in process, ES256)' },
  { name: 'startup', kind: 'startup', servers: ['latchkey', 'oidc-provider'], setup: WARN_ES256,
    title: 'start-up to first answer (a verified client credentials token) and idle RSS 1 s later' },
];

export function scenarioByName(name: ScenarioName): Scenario {
  return SCENARIOS.find((s) => s.name === name)!;
}

/** A goal of issue 21: the median of a scenario's per-round ratio `of / over` on `metric` must reach `target`. */
export interface Goal {
  goal: string;
  scenario: ScenarioName;
  of: string;
  over: string;
  metric: string;
  target: number;
}

export const GOALS: readonly Goal[] = [
  { goal: 'code flow with SSO session, SQLite', scenario: 'code', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 2 },
  { goal: 'code flow with SSO session, PostgreSQL', scenario: 'code', of: 'latchkey-postgres', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.5 },
  { goal: 'refresh rotation, SQLite', scenario: 'refresh', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 2 },
  { goal: 'refresh rotation, PostgreSQL', scenario: 'refresh', of: 'latchkey-postgres', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.5 },
  { goal: 'introspection, SQLite', scenario: 'introspect', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.5 },
  { goal: 'introspection, PostgreSQL', scenario: 'introspect', of: 'latchkey-postgres', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.2 },
  { goal: 'client credentials ES256, default log level', scenario: 'cc-info', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.6 },
  { goal: 'client credentials RS256, default log level', scenario: 'cc-rs256', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.3 },
  { goal: 'start-up no slower (peer ms / latchkey ms)', scenario: 'startup', of: 'latchkey', over: 'oidc-provider', metric: 'startupMs', target: 1 },
  { goal: 'idle RSS no larger (peer / latchkey)', scenario: 'startup', of: 'latchkey', over: 'oidc-provider', metric: 'idleRssMiB', target: 1 },
  { goal: 'resource kit within 3 % of raw jose', scenario: 'verify', of: 'resource-kit', over: 'jose', metric: 'verifiesPerSecond', target: 0.97 },
  { goal: 'design: client credentials, warn, vs oidc-provider', scenario: 'cc', of: 'latchkey', over: 'oidc-provider', metric: 'flowsPerSecond', target: 1.6 },
  { goal: 'design: client credentials, warn, vs ceiling', scenario: 'cc', of: 'latchkey', over: 'ceiling', metric: 'flowsPerSecond', target: 0.9 },
];

/** Metrics where less is better: their ratio is other / latchkey. */
export const LOWER_IS_BETTER = new Set(['startupMs', 'idleRssMiB']);
