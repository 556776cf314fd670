import { ValidationError } from '../common/errors.js';
import type { Page, PageRequest } from '../store/repositories.js';

/** A hard ceiling on one page, whatever the caller asks (callers cap lower). */
export const MAX_PAGE_LIMIT = 1000;

/** Position after the last item of a page ordered by (createdAt asc, id asc). */
export interface TimeCursor {
  createdAt: Date;
  id: string;
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new ValidationError('invalid page request', [
      `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`,
    ]);
  }
  return limit;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalidCursor();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}

function invalidCursor(): ValidationError {
  return new ValidationError('invalid page request', ['cursor is not one this list returned']);
}

export function encodeTimeCursor(item: TimeCursor): string {
  return encode({ t: item.createdAt.toISOString(), i: item.id });
}

export function decodeTimeCursor(cursor: string | undefined): TimeCursor | undefined {
  if (cursor === undefined) return undefined;
  const value = decode(cursor);
  if (typeof value !== 'object' || value === null) throw invalidCursor();
  const { t, i } = value as { t?: unknown; i?: unknown };
  if (typeof t !== 'string' || typeof i !== 'string' || i === '') throw invalidCursor();
  const createdAt = new Date(t);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== t) throw invalidCursor();
  return { createdAt, id: i };
}

export function encodeSeqCursor(seq: number): string {
  return encode({ s: seq });
}

export function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const value = decode(cursor);
  if (typeof value !== 'object' || value === null) throw invalidCursor();
  const { s } = value as { s?: unknown };
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) throw invalidCursor();
  return s;
}

export interface AfterTimeCursor {
  OR?: ({ createdAt: { gt: Date } } | { createdAt: Date; id: { gt: string } })[];
}

/** Prisma `where` for "after this cursor" in (createdAt, id) order. */
export function afterTimeCursor(cursor: TimeCursor | undefined): AfterTimeCursor {
  if (cursor === undefined) return {};
  return {
    OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }],
  };
}

export function timeOrder(): [{ createdAt: 'asc' }, { id: 'asc' }] {
  return [{ createdAt: 'asc' }, { id: 'asc' }];
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells whether another page exists.
 */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  cursorOf: (row: Row) => string,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { items: kept.map(map), nextCursor: more && last !== undefined ? cursorOf(last) : null };
}

export function pageArgs(page: PageRequest): { limit: number; take: number } {
  const limit = checkLimit(page.limit);
  return { limit, take: limit + 1 };
}

/** One page of rows in (createdAt, id) order: `find` is the model's `findMany`, `filter` narrows it. */
export async function listByTime<Where extends object, Row extends TimeCursor, T>(
  page: PageRequest,
  filter: Where,
  find: (args: {
    where: Where & AfterTimeCursor;
    orderBy: ReturnType<typeof timeOrder>;
    take: number;
  }) => Promise<Row[]>,
  map: (row: Row) => T,
): Promise<Page<T>> {
  const { limit, take } = pageArgs(page);
  const rows = await find({
    where: { ...filter, ...afterTimeCursor(decodeTimeCursor(page.cursor)) },
    orderBy: timeOrder(),
    take,
  });
  return toPage(rows, limit, map, encodeTimeCursor);
}
