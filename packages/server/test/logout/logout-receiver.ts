// A client's back-channel logout endpoint for tests: a real HTTP server that records every logout token POSTed to it
// and answers as the test scripts (a status code, or "hang" to hold the request open until released).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverAnswer = number | 'hang';

export interface ReceivedLogout {
  path: string;
  contentType: string | undefined;
  logoutToken: string | undefined;
  /** Whether the receiver answered 2xx (the delivery counts as made). */
  acknowledged: boolean;
}

export class LogoutReceiver {
  readonly received: ReceivedLogout[] = [];
  /** Answers to the next requests, in order; then `fallback`. */
  readonly script: ReceiverAnswer[] = [];
  fallback: ReceiverAnswer = 200;
  readonly #hung: ServerResponse[] = [];
  readonly #server: Server;
  url = '';

  constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/backchannel`;
    return this;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const answer = this.script.shift() ?? this.fallback;
    const entry: ReceivedLogout = {
      path: request.url ?? '', contentType: request.headers['content-type'], logoutToken: new URLSearchParams(body).get('logout_token') ?? undefined,
      acknowledged: typeof answer === 'number' && answer >= 200 && answer < 300,
    };
    this.received.push(entry);
    if (answer === 'hang') {
      this.#hung.push(response);
      return;
    }
    if (answer >= 300 && answer < 400) response.setHeader('location', `${this.url}/redirected`);
    response.statusCode = answer;
    response.end();
  }

  /** Resolves once `count` requests have arrived (polls; the test's own timeout bounds it). */
  async waitFor(count: number): Promise<void> {
    while (this.received.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  acknowledged(): ReceivedLogout[] {
    return this.received.filter((r) => r.acknowledged);
  }

  async close(): Promise<void> {
    for (const response of this.#hung) response.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
