// A TCP proxy between a test and PostgreSQL, so a test can make the database unreachable and bring it back.
// cut(): refuses new connections and resets the open ones (a restart, a refused port).
// stall(): keeps every connection open but forwards nothing (a network partition without resets).
// restore(): back to forwarding; stalled connections carry on where they stopped.
// arm(fault): one fault on the next connection that sends a statement matching `on` (the database protocol carries
// SQL text, or the name of a statement prepared with it, so a test can aim at one step of one operation):
//   when 'before': that statement never arrives (the transaction it belongs to is rolled back by the database);
//   when 'after-commit': the statement and the rest of its transaction go through, the database commits, and the
//   acknowledgement of the COMMIT never comes back (the caller cannot know that it committed); a statement sent outside
//   BEGIN ... COMMIT is its own transaction: it goes through, and its answer (sent after its commit) never comes back;
//   then 'cut': the connection is reset; then 'hold': it stays open and silent (until its client goes away).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Fault {
  on: RegExp;
  when: 'before' | 'after-commit';
  then: 'cut' | 'hold';
}

export interface TcpProxy {
  readonly port: number;
  /** Rewrites a postgres:// URL so it goes through the proxy. */
  url(databaseUrl: string): string;
  cut(): Promise<void>;
  stall(): void;
  restore(): Promise<void>;
  /** Arms one fault; the promise resolves when it has happened (for 'after-commit': once the database committed). */
  arm(fault: Fault): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** The armed statement went through on this connection; its COMMIT is the one to intercept. */
  awaitingCommit: boolean;
  /** Between a BEGIN and its COMMIT or ROLLBACK, as far as the statements sent on this connection tell. */
  inTransaction: boolean;
  /** The fault happened here: nothing is forwarded any more. */
  faulted: boolean;
  /** The text of each named (prepared) statement this connection parsed: later uses send only the name. */
  statements: Map<string, string>;
}

/** A NUL-terminated string of a protocol message at `at`, and where the next field starts. */
function cString(chunk: Buffer, at: number): [string, number] {
  const end = chunk.indexOf(0, at);
  return end < 0 ? ['', chunk.length] : [chunk.toString('latin1', at, end), end + 1];
}

/**
 * The SQL a chunk from the client runs: its text, and for each Bind of a named statement (PostgreSQL protocol §55.7:
 * Parse 'P' names a statement and carries its text once; Bind 'B' only names it) the text that name was parsed with.
 */
function statementText(pair: Pair, chunk: Buffer): string {
  let text = chunk.toString('latin1');
  for (let at = 0; at + 5 <= chunk.length;) {
    const type = String.fromCharCode(chunk[at]!);
    const length = chunk.readInt32BE(at + 1);
    if (!'PBDESHCQXF'.includes(type) || length < 4 || at + 1 + length > chunk.length) break;
    if (type === 'P') {
      const [name, next] = cString(chunk, at + 5);
      if (name !== '') pair.statements.set(name, cString(chunk, next)[0]);
    } else if (type === 'B') {
      const [, next] = cString(chunk, at + 5);
      const [name] = cString(chunk, next);
      if (name !== '') text += `\n${pair.statements.get(name) ?? ''}`;
    }
    at += 1 + length;
  }
  return text;
}

interface Armed extends Fault {
  fired: () => void;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let stalled = false;
  let armed: Armed | undefined;

  const endWith = (pair: Pair, then: 'cut' | 'hold') => {
    pair.faulted = true;
    pair.upstream?.unpipe(pair.client);
    if (then === 'cut') {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    }
  };

  /** Sends `chunk` on; the first answer from the database (sent once it committed) is dropped and the fault follows. */
  const forwardThenFault = (pair: Pair, chunk: Buffer, fault: Armed) => {
    armed = undefined;
    const upstream = pair.upstream!;
    upstream.unpipe(pair.client);
    upstream.once('data', () => {
      endWith(pair, fault.then);
      fault.fired();
    });
    upstream.resume(); // unpipe paused it; what the database says from now on is read and dropped
    upstream.write(chunk);
  };

  const fromClient = (pair: Pair, chunk: Buffer) => {
    if (pair.faulted) return;
    const text = statementText(pair, chunk);
    if (/\b(begin|start transaction)\b/i.test(text)) pair.inTransaction = true;
    const fault = armed;
    if (fault && !pair.awaitingCommit && fault.on.test(text)) {
      if (fault.when === 'before') {
        armed = undefined;
        endWith(pair, fault.then);
        fault.fired();
        return;
      }
      // Outside a transaction the statement commits by itself: its own answer is the acknowledgement to lose.
      if (!pair.inTransaction) return forwardThenFault(pair, chunk, fault);
      pair.awaitingCommit = true;
    } else if (fault && pair.awaitingCommit && /\bcommit\b/i.test(text)) {
      // The COMMIT goes through; the first answer from the database (its acknowledgement) proves it committed.
      return forwardThenFault(pair, chunk, fault);
    }
    if (/\b(commit|rollback)\b/i.test(text)) pair.inTransaction = false;
    pair.upstream!.write(chunk);
  };

  const forward = (pair: Pair) => {
    if (pair.faulted) return;
    if (!pair.upstream) {
      const upstream = createConnection({ host: targetHost, port: targetPort });
      pair.upstream = upstream;
      upstream.on('error', () => {});
      upstream.on('close', () => pair.client.destroy());
      pair.client.on('data', (chunk: Buffer) => fromClient(pair, chunk));
    }
    pair.upstream.pipe(pair.client);
    pair.client.resume();
    pair.upstream.resume();
  };

  const hold = (pair: Pair) => {
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };

  const listen = () => new Promise<void>((resolve, reject) => {
    const s = createServer((client) => {
      const pair: Pair = { client, upstream: undefined, awaitingCommit: false, inTransaction: false, faulted: false, statements: new Map() };
      pairs.add(pair);
      client.on('error', () => {});
      client.on('close', () => {
        pair.upstream?.destroy();
        pairs.delete(pair);
      });
      if (stalled) client.pause();
      else forward(pair);
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      port = (s.address() as { port: number }).port;
      server = s;
      resolve();
    });
  });

  const cut = async () => {
    const s = server;
    server = undefined;
    stalled = false;
    for (const pair of pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    }
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    url(databaseUrl: string) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut,
    stall() {
      stalled = true;
      for (const pair of pairs) hold(pair);
    },
    async restore() {
      if (stalled) {
        stalled = false;
        for (const pair of pairs) forward(pair);
      }
      if (!server) await listen();
    },
    arm(fault: Fault) {
      return new Promise<void>((resolve) => {
        armed = { ...fault, fired: resolve };
      });
    },
    close: cut,
  };
}
