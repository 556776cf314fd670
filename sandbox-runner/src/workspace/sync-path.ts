/** Bytes of one path segment: NAME_MAX on Linux. */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why `relative` is not a path the sync may carry, or undefined when it is: relative, normalised, no `.`/`..`
 * or empty segments, no NUL, control characters or backslashes, well-formed UTF-8, bounded. agentd checks
 * the same rules on its side; this copy keeps the runner from writing outside /workspace on a bad header.
 */
export function syncPathProblem(relative: string, maxPathBytes: number): string | undefined {
  if (relative === '') return 'empty path';
  // A lone surrogate does not survive a UTF-8 round trip.
  if (Buffer.from(relative, 'utf8').toString('utf8') !== relative) return 'not well-formed UTF-8';
  if (Buffer.byteLength(relative) > maxPathBytes) return `longer than ${maxPathBytes} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(relative)) return 'control character or backslash';
  if (relative.startsWith('/')) return 'absolute';
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return `bad segment "${segment}"`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}
