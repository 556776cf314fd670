import net, { type AddressInfo } from 'node:net';

/** Statements counted since the last reset, by their leading SQL keyword (SELECT, INSERT, BEGIN, ...). */
export type StatementCounts = Record<string, number>;

export interface PgStatementCounter {
  /** A DATABASE_URL that reaches the same database through the counter. */
  url: string;
  counts(): StatementCounts;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** `INSERT INTO "runs" ...` -> `INSERT`; a statement that starts with a comment or a paren keeps its first word. */
export function statementKind(sql: string): string {
  const word = /[A-Za-z]+/.exec(sql.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/|\s|\()*/, ''))?.[0];
  return word ? word.toUpperCase() : 'OTHER';
}

/**
 * Parses the frontend half of the PostgreSQL wire protocol and counts what the server is asked to execute:
 * each simple `Query` message and each extended-protocol `Execute` (attributed to the statement its portal
 * was parsed from). The server never sees a difference: bytes pass through untouched.
 */
export class FrontendParser {
  #buffer: Buffer = Buffer.alloc(0);
  #startup = true;
  /** Prepared statement name -> kind; '' is the unnamed statement. */
  readonly #statements = new Map<string, string>();
  /** Portal name -> kind. */
  readonly #portals = new Map<string, string>();

  constructor(private readonly count: (kind: string) => void) {}

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#startup) {
        if (this.#buffer.length < 8) return;
        const length = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < length) return;
        const code = this.#buffer.readInt32BE(4);
        // After an SSL or GSS request (answered with one byte) the client sends its startup message again.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.#startup = false;
        this.#buffer = this.#buffer.subarray(length);
        continue;
      }
      if (this.#buffer.length < 5) return;
      const type = String.fromCharCode(this.#buffer[0]!);
      const length = this.#buffer.readInt32BE(1);
      if (this.#buffer.length < 1 + length) return;
      this.#message(type, this.#buffer.subarray(5, 1 + length));
      this.#buffer = this.#buffer.subarray(1 + length);
    }
  }

  #message(type: string, body: Buffer): void {
    const cstring = (from: number): [string, number] => {
      const end = body.indexOf(0, from);
      return [body.toString('utf8', from, end), end + 1];
    };
    if (type === 'Q') {
      this.count(statementKind(cstring(0)[0]));
    } else if (type === 'P') {
      const [name, next] = cstring(0);
      this.#statements.set(name, statementKind(cstring(next)[0]));
    } else if (type === 'B') {
      const [portal, next] = cstring(0);
      this.#portals.set(portal, this.#statements.get(cstring(next)[0]) ?? 'OTHER');
    } else if (type === 'E') {
      this.count(this.#portals.get(cstring(0)[0]) ?? 'OTHER');
    }
  }
}

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients execute. Used where
 * pg_stat_statements is not available: enabling it needs `shared_preload_libraries` and a server restart,
 * which a shared test server cannot take. The count is exact for what crosses the wire.
 */
export async function startPgStatementCounter(databaseUrl: string): Promise<PgStatementCounter> {
  const target = new URL(databaseUrl);
  let counts: StatementCounts = {};
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const parser = new FrontendParser((kind) => (counts[kind] = (counts[kind] ?? 0) + 1));
    client.on('data', (chunk) => parser.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => (counts = {}),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
