import type { TSchema, Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ValidationError } from './errors.js';

/** Human-readable issues, one per offending location, e.g. `/limits/memoryBytes: must be >= 67108864`. */
export function schemaIssues(schema: TSchema, value: unknown): string[] {
  const byPath = new Map<string, string>();
  for (const error of Value.Errors(schema, value)) {
    const path = error.instancePath === '' ? '(root)' : error.instancePath;
    // A union of literals yields one "const" error per member and then "anyOf": keep the summary.
    if ((error.keyword === 'const' && error.schemaPath.includes('/anyOf/')) || error.keyword === 'boolean')
      continue;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const name of extra) byPath.set(`${path === '(root)' ? '' : path}/${name}`, 'unknown property');
      continue;
    }
    if (!byPath.has(path))
      byPath.set(path, describe(error.keyword, error.message, schemaAt(schema, error.schemaPath)));
  }
  return [...byPath].map(([path, message]) => `${path}: ${message}`);
}

/**
 * A compiled check for a hot path (every runner event): the fast compiled validator decides, and only a
 * failing value pays for the readable issue list.
 */
export function compiledValidator<S extends TSchema>(schema: S, what: string): (value: unknown) => Static<S> {
  const validator = Compile(schema);
  return (value) => {
    if (validator.Check(value)) return value;
    throw new ValidationError(`invalid ${what}`, schemaIssues(schema, value));
  };
}

/** `schemaIssues` for a hot path: the compiled validator passes a valid value; only an invalid one is walked. */
export function compiledIssues(schema: TSchema): (value: unknown) => string[] {
  const validator = Compile(schema);
  return (value) => (validator.Check(value) ? [] : schemaIssues(schema, value));
}

/** Returns `value` typed by `schema`, or throws a ValidationError listing every problem. */
export function validate<S extends TSchema>(schema: S, value: unknown, what: string): Static<S> {
  if (Value.Check(schema, value)) return value;
  throw new ValidationError(`invalid ${what}`, schemaIssues(schema, value));
}

function describe(keyword: string, message: string, schema: unknown): string {
  if (keyword === 'anyOf' && isRecord(schema) && Array.isArray(schema.anyOf)) {
    const literals = schema.anyOf.map((s: unknown) => (isRecord(s) ? s.const : undefined));
    if (literals.every((l) => l !== undefined)) return `must be one of ${literals.map(String).join(', ')}`;
  }
  return message;
}

function schemaAt(root: TSchema, pointer: string): unknown {
  let node: unknown = root;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = isRecord(node) ? node[part] : undefined;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
