import type { ToolInputs, ToolName } from './protocol.js';

/** A tool use whose name is known and whose input has the contract's shape. */
export type ToolCall = { [K in ToolName]: { name: K; input: ToolInputs[K] } }[ToolName];

export type ParsedToolCall = { ok: true; call: ToolCall } | { ok: false; error: string };

type FieldKind = 'string' | 'boolean' | 'positive integer';
interface FieldSpec {
  kind: FieldKind;
  required: boolean;
}
type InputSpec<T> = { [K in keyof T]-?: FieldSpec };

const required = (kind: FieldKind): FieldSpec => ({ kind, required: true });
const optional = (kind: FieldKind): FieldSpec => ({ kind, required: false });

/** The input schemas of docs/architecture.md: tools; the mapped type keeps them in step with the protocol file. */
const SPECS: { [K in ToolName]: InputSpec<ToolInputs[K]> } = {
  bash: { command: required('string'), timeoutMs: optional('positive integer') },
  read_file: {
    path: required('string'),
    offset: optional('positive integer'),
    limit: optional('positive integer'),
  },
  write_file: { path: required('string'), content: required('string') },
  edit_file: { path: required('string'), oldText: required('string'), newText: required('string') },
  list_files: { path: optional('string'), recursive: optional('boolean') },
};

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(SPECS, name);
}

/** Checks a model's tool use against the contract; the error text is what the model is told. */
export function parseToolCall(name: string, input: unknown): ParsedToolCall {
  if (!isToolName(name)) {
    return { ok: false, error: `unknown tool "${name}"; the tools are: ${Object.keys(SPECS).join(', ')}` };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: `${name}: the input must be a JSON object` };
  }
  const fields = input as Record<string, unknown>;
  const spec: Record<string, FieldSpec> = SPECS[name];
  const problems: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(spec, key)) problems.push(`unknown field "${key}"`);
  }
  for (const [key, field] of Object.entries(spec)) {
    const value = fields[key];
    if (value === undefined || value === null) {
      if (field.required) problems.push(`"${key}" is required`);
    } else if (!matches(field.kind, value)) {
      problems.push(`"${key}" must be a ${field.kind}`);
    }
  }
  if (problems.length > 0) return { ok: false, error: `${name}: invalid input: ${problems.join('; ')}` };
  // Fields sent as null mean "not given".
  const cleaned = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
  return { ok: true, call: { name, input: cleaned } as ToolCall };
}

function matches(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'positive integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
  }
}
