// Rate limits of the endpoints where a client authenticates (RFC 6749 §2.3, RFC 9700 §4.10 "brute force"): /token,
// /introspect, /revoke, and the device authorization and PAR endpoints when they come. Two kinds, both answered
// 429 with Retry-After:
// - failures (wrong or unknown client credentials, unknown codes and tokens), counted in the Store so every
//   instance shares them: per address always; per client only once it proved who it is with its secret, so a
//   stranger presenting someone's client_id with guesses slows down his own address and never that client;
// - requests per second per address and per authenticated confidential client, counted in memory per instance.
// A request that succeeds costs a few map lookups and no database round trip.
import type { ClientDirectory } from '../clients/client-directory.ts';
import type { ServerConfig } from '../config/config.ts';
import { authenticateClient, type PresentedClient } from '../oauth/client-auth.ts';
import { InvalidClient, TooManyRequests } from '../oauth/errors.ts';
import type { ClientAssertionVerifier } from '../oauth/client-assertion.ts';
import type { ClientRecord } from '../store/records.ts';
import type { FailureCounterStore } from '../store/failure-counter-store.ts';
import { FailureLimit, type FailureRule } from './failure-limit.ts';
import { RequestsPerSecond } from './requests-per-second.ts';

type LimitsConfig = Pick<ServerConfig, 'failureLimitPerAddress' | 'failureLimitPerClient' | 'failureWindow' | 'requestsPerSecondPerAddress' | 'requestsPerSecondPerClient'>;

const addressKey = (ip: string) => `endpoint:address:${ip}`;
const clientKey = (clientId: string) => `endpoint:client:${clientId}`;

export class ClientEndpointLimits {
  readonly #failures: FailureLimit;
  readonly #perAddress: FailureRule;
  readonly #perClient: FailureRule;
  readonly #addressRate: RequestsPerSecond;
  readonly #clientRate: RequestsPerSecond;
  readonly #clients: ClientDirectory;
  readonly #assertions: ClientAssertionVerifier;

  constructor(config: LimitsConfig, store: FailureCounterStore, clients: ClientDirectory, assertions: ClientAssertionVerifier) {
    this.#failures = new FailureLimit(store);
    this.#perAddress = { limit: config.failureLimitPerAddress, windowSeconds: config.failureWindow };
    this.#perClient = { limit: config.failureLimitPerClient, windowSeconds: config.failureWindow };
    this.#addressRate = new RequestsPerSecond(config.requestsPerSecondPerAddress);
    this.#clientRate = new RequestsPerSecond(config.requestsPerSecondPerClient);
    this.#clients = clients;
    this.#assertions = assertions;
  }

  /** First thing at the endpoint: refuses an address over its request rate or blocked by its failures. */
  admitAddress(ip: string, now: number): void {
    if (!this.#addressRate.take(ip, now)) throw new TooManyRequests(1, 'requests from this address');
    const wait = this.#failures.retryAfter(addressKey(ip), now);
    if (wait > 0) throw new TooManyRequests(wait, 'failed requests from this address');
  }

  /**
   * Client authentication, counted: a failure counts against the address; a confidential client that proved
   * itself is then held to its own request rate and failure block (a public client's id proves nothing).
   */
  async authenticate(presented: PresentedClient, ip: string, now: number): Promise<ClientRecord> {
    let client: ClientRecord;
    try {
      const registered = await this.#clients.resolve(presented.clientId, now);
      client = presented.method === 'private_key_jwt' && registered !== undefined && presented.assertion !== undefined
        ? await this.#assertions.verify(presented.assertion, registered, now)
        : authenticateClient(presented, registered);
    } catch (error) {
      if (error instanceof InvalidClient) await this.recordFailure(ip, undefined, now);
      throw error;
    }
    if (!client.isPublic) {
      if (!this.#clientRate.take(client.id, now)) throw new TooManyRequests(1, 'requests from this client');
      const wait = this.#failures.retryAfter(clientKey(client.id), now);
      if (wait > 0) throw new TooManyRequests(wait, 'failed requests from this client');
    }
    return client;
  }

  /** A failed guess: an unknown code, token or refresh token, or wrong client credentials. */
  async recordFailure(ip: string, client: ClientRecord | undefined, now: number): Promise<void> {
    await this.#failures.record(addressKey(ip), this.#perAddress, now);
    if (client && !client.isPublic) await this.#failures.record(clientKey(client.id), this.#perClient, now);
  }
}
