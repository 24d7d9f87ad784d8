// Pushed authorization requests (RFC 9126 §2.2): kept under the SHA-256 of their request_uri, used once, by their client.
import type { PushedRequestRecord } from './records.ts';

export interface PushedRequestStore {
  createPushedRequest(request: PushedRequestRecord): Promise<void>;
  /**
   * Removes the request and returns it exactly once, only to its own client and before it expires (RFC 9126 §4: single
   * use, bound to the client); another client, a second use or an expired request get undefined and change nothing.
   */
  consumePushedRequest(uriHash: string, clientId: string, now: number): Promise<PushedRequestRecord | undefined>;
}
