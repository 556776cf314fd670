import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../common/errors.js';

// NUL and unpaired UTF-16 surrogates: PostgreSQL text and jsonb cannot store them, so they are refused as
// invalid input up front instead of failing as a 500 deep in a repository.
// eslint-disable-next-line no-control-regex -- matching NUL is the point.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_ISSUES = 10;

/** Refuses request bodies and query strings whose strings (values or keys) hold unstorable characters. */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const issues: string[] = [];
    collect(request.body, '/body', issues);
    collect(request.query, '/query', issues);
    if (issues.length > 0) {
      throw new ValidationError(
        'strings must be valid Unicode without NUL characters',
        issues.map((at) => `${at}: contains NUL or an unpaired surrogate`),
      );
    }
  });
}

function collect(value: unknown, at: string, issues: string[]): void {
  // Iterative: a deeply nested body must not overflow the stack here.
  const stack: [unknown, string][] = [[value, at]];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const [current, where] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) issues.push(where);
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push([item, `${where}/${i}`]));
    } else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (UNSTORABLE.test(key)) issues.push(`${where}/${encodeURIComponent(key)}`);
        stack.push([item, `${where}/${key}`]);
      }
    }
  }
}

/** Parsed JSON and query strings only: a streamed body (workspace uploads) is not walked. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // The query string parser's objects have a prototype-less prototype.
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}
