/**
 * UTF-8 bytes of one workspace path. S3 keys are at most 1024 bytes, and agentd puts
 * `<prefix>/staging/tenants/<id>/conversations/<id>/<syncId>/` (up to ~250 bytes) in front.
 */
export const MAX_PATH_BYTES = 768;
/** NAME_MAX on Linux. */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why `value` is not a workspace path, or undefined when it is one: a relative, normalised, '/'-separated
 * path (no '.', '..' or empty segments, no leading or trailing '/'), without NUL, control characters or
 * backslashes, well-formed UTF-8, at most MAX_PATH_BYTES. Everything a sandbox or a client names goes
 * through this before it becomes a key, a tar entry or a file.
 */
export function pathProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'not a string';
  if (value === '') return 'empty';
  // A lone surrogate does not survive a UTF-8 round trip.
  if (Buffer.from(value, 'utf8').toString('utf8') !== value) return 'not well-formed UTF-8';
  if (Buffer.byteLength(value) > MAX_PATH_BYTES) return `longer than ${MAX_PATH_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character or NUL';
  if (value.includes('\\')) return 'contains a backslash';
  if (value.startsWith('/')) return 'is absolute';
  for (const segment of value.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/** Every directory a path implies: `a/b/c` → `a`, `a/b`. */
export function parentsOf(p: string): string[] {
  const parents: string[] = [];
  let index = p.indexOf('/');
  while (index >= 0) {
    parents.push(p.slice(0, index));
    index = p.indexOf('/', index + 1);
  }
  return parents;
}

/** The first path that is both a file and the parent of another file, or undefined (a tree must not have one). */
export function treeConflict(paths: Iterable<string>): string | undefined {
  const files = new Set(paths);
  for (const p of files) for (const parent of parentsOf(p)) if (files.has(parent)) return parent;
  return undefined;
}
