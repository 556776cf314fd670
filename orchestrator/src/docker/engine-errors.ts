import { errorMessage } from '../common/errors.js';

/** The HTTP status the Engine API answered with, when the error carries one. */
export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** A concurrent removal of the same container reports 409 "removal already in progress". */
export function isRemovalInProgress(err: unknown): boolean {
  return statusCode(err) === 409 && /already in progress/.test(errorMessage(err));
}
