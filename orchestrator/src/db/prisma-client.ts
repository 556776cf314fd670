import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient };

export interface PrismaClientOptions {
  url: string;
  /** Pool size; 1 for PGlite, which serves one connection at a time. */
  poolMax?: number;
  connectTimeoutMs?: number;
  /**
   * Told about errors on pooled connections nobody is using (the server restarted or terminated
   * them). The pool drops such a connection and opens a new one on demand; the readiness probe
   * reports a database that stays away.
   */
  onConnectionError?: (err: Error) => void;
}

/** Interactive transactions wait their turn for a pooled connection; on PGlite that is the only one. */
const TRANSACTION_MAX_WAIT_MS = 10_000;
const TRANSACTION_TIMEOUT_MS = 15_000;

export function createPrismaClient(options: PrismaClientOptions): PrismaClient {
  const adapter = new PrismaPg(
    {
      connectionString: options.url,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    },
    { onPoolError: options.onConnectionError, onConnectionError: options.onConnectionError },
  );
  return new PrismaClient({
    adapter,
    transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS, timeout: TRANSACTION_TIMEOUT_MS },
  });
}
