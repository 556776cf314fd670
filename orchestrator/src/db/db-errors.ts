import { AgentdError, ValidationError, errorMessage, isAgentdError } from '../common/errors.js';
import { Prisma } from './generated/client.js';

interface DriverCause {
  kind?: string;
  originalCode?: string;
  constraint?: { index?: string; fields?: string[] };
}

/** Driver-adapter errors reach us inside Prisma's `meta`; these are the parts we branch on. */
export interface DbFailure {
  prismaCode: string | undefined;
  kind: string | undefined;
  sqlState: string | undefined;
  constraint: string | undefined;
}

export function describeDbError(err: unknown): DbFailure {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) {
    return { prismaCode: undefined, kind: undefined, sqlState: undefined, constraint: undefined };
  }
  const meta = err.meta as { driverAdapterError?: { cause?: DriverCause } } | undefined;
  const cause = meta?.driverAdapterError?.cause;
  return {
    prismaCode: err.code,
    kind: cause?.kind,
    sqlState: cause?.originalCode,
    constraint: cause?.constraint?.index,
  };
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const failure = describeDbError(err);
  return failure.prismaCode === 'P2002' && (constraint === undefined || failure.constraint === constraint);
}

export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  const failure = describeDbError(err);
  const isFk = failure.prismaCode === 'P2003' || failure.sqlState === '23503';
  return isFk && (constraint === undefined || failure.constraint === constraint);
}

export function isRecordNotFound(err: unknown): boolean {
  return describeDbError(err).prismaCode === 'P2025';
}

const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'AuthenticationFailed',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'TlsConnectionError',
]);
// P1xxx: connection-level failures; P2024: no pool connection in time; P2028: transaction could not start.
const UNREACHABLE_PRISMA_CODES = new Set([
  'P1000',
  'P1001',
  'P1002',
  'P1003',
  'P1008',
  'P1017',
  'P2024',
  'P2028',
]);
const UNREACHABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);
// SQLSTATE class 08 (connection exception) and 57P01-57P03 (server shutting down / starting up).
const UNREACHABLE_SQLSTATE = /^(08...|57P0[1-3])$/;

export function isDatabaseUnavailable(err: unknown): boolean {
  const failure = describeDbError(err);
  if (failure.prismaCode !== undefined) {
    return (
      UNREACHABLE_PRISMA_CODES.has(failure.prismaCode) ||
      (failure.kind !== undefined && UNREACHABLE_KINDS.has(failure.kind)) ||
      (failure.sqlState !== undefined && UNREACHABLE_SQLSTATE.test(failure.sqlState))
    );
  }
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNREACHABLE_NODE_CODES.has(code) || UNREACHABLE_SQLSTATE.test(code)))
    return true;
  return /Connection terminated|Can't reach database server/i.test(errorMessage(err));
}

/**
 * Turns database failures into domain errors: a dead database is DEPENDENCY_UNAVAILABLE, constraint
 * violations the repositories did not handle themselves are validation failures. Anything else is a bug
 * and stays as it is (a 500), never disguised as a 400.
 */
export function toDomainError(err: unknown): unknown {
  if (isAgentdError(err)) return err;
  if (isDatabaseUnavailable(err)) {
    return new AgentdError('DEPENDENCY_UNAVAILABLE', `the database is unavailable: ${summary(err)}`, {
      cause: err,
      recoverable: true,
      details: { dependency: 'postgres' },
    });
  }
  const failure = describeDbError(err);
  if (failure.prismaCode === 'P2002') {
    return new ValidationError(
      'conflict',
      [`a record with the same ${failure.constraint ?? 'key'} already exists`],
      {
        cause: err,
      },
    );
  }
  if (failure.prismaCode === 'P2003') {
    return new ValidationError(
      'invalid reference',
      [`${failure.constraint ?? 'a reference'} points to no record`],
      {
        cause: err,
      },
    );
  }
  return err;
}

/** Prisma's messages start with the call site; the last line says what happened. */
function summary(err: unknown): string {
  const lines = errorMessage(err)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Invalid `'));
  return lines.at(-1) ?? 'unknown error';
}

/** Wraps every method of a repository so its rejections go through `toDomainError`. */
export function withDomainErrors<T extends object>(target: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const key of methodNames(target)) {
    const method = (target as Record<string, unknown>)[key];
    if (typeof method !== 'function') continue;
    wrapped[key] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      } catch (err) {
        throw toDomainError(err);
      }
    };
  }
  return wrapped as T;
}

function methodNames(target: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = target; proto !== null && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...names];
}
