import { parseDocument } from 'yaml';
import { ValidationError } from '../common/errors.js';
import { skillNameProblem, type SkillLimits } from './skill-limits.js';

export interface SkillDocument {
  name: string;
  description: string;
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Reads SKILL.md's YAML front matter (`name`, `description`); the body is the agent's to read, not ours. */
export function parseSkillDocument(content: Buffer, limits: SkillLimits): SkillDocument {
  const problems: string[] = [];
  const text = content.toString('utf8');
  if (Buffer.from(text, 'utf8').compare(content) !== 0) problems.push('SKILL.md is not UTF-8');
  const match = FRONT_MATTER.exec(text.replace(/^\uFEFF/, ''));
  if (!match) throw new ValidationError('invalid skill', ['SKILL.md has no YAML front matter (--- … ---)']);
  // A front matter is a handful of keys: aliases (billion laughs) and long documents are refused.
  const doc = parseDocument(match[1] ?? '', { prettyErrors: false });
  if (doc.errors.length > 0)
    throw new ValidationError('invalid skill', [
      `SKILL.md front matter is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`,
    ]);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    throw new ValidationError('invalid skill', [`SKILL.md front matter: ${(err as Error).message}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ValidationError('invalid skill', ['SKILL.md front matter must be a mapping']);
  const { name, description } = data as Record<string, unknown>;
  const nameProblem = skillNameProblem(name);
  if (nameProblem !== undefined) problems.push(`SKILL.md front matter: name ${nameProblem}`);
  if (typeof description !== 'string' || description.trim() === '')
    problems.push('SKILL.md front matter: description is required');
  else if (description.length > limits.maxDescriptionChars)
    problems.push(
      `SKILL.md front matter: description is longer than ${limits.maxDescriptionChars} characters`,
    );
  if (problems.length > 0) throw new ValidationError('invalid skill', problems);
  return { name: name as string, description: (description as string).trim() };
}
