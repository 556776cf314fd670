import { badSkill, skillTooLarge } from './skill-errors.js';
import type { SkillFileCollector } from './skill-file-collector.js';
import type { SkillLimits } from './skill-limits.js';

/** A JSON upload: `{ name?, enabled?, files?: { "<path>": "<UTF-8 text>" } }`. */
export interface JsonSkillBody {
  name?: string;
  enabled?: boolean;
  files?: Record<string, string>;
}

export function parseJsonBody(raw: Buffer): JsonSkillBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badSkill(`the body is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badSkill('the body must be a JSON object');
  const { name, enabled, files, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw badSkill(`unknown field ${unknown[0] ?? ''} (have name, enabled, files)`);
  if (name !== undefined && typeof name !== 'string') throw badSkill('name must be a string');
  if (enabled !== undefined && typeof enabled !== 'boolean') throw badSkill('enabled must be a boolean');
  if (files !== undefined && (typeof files !== 'object' || files === null || Array.isArray(files)))
    throw badSkill('files must be an object of path to text');
  return {
    ...(name === undefined ? {} : { name }),
    ...(enabled === undefined ? {} : { enabled }),
    ...(files === undefined ? {} : { files: files as Record<string, string> }),
  };
}

/** Feeds a JSON file map through the same checks as an archive's entries. */
export async function collectJsonFiles(
  files: Record<string, unknown>,
  limits: SkillLimits,
  collector: SkillFileCollector,
): Promise<void> {
  const entries = Object.entries(files);
  if (entries.length > limits.maxFiles) throw skillTooLarge(`more than ${limits.maxFiles} files`);
  for (const [rawPath, text] of entries) {
    if (typeof text !== 'string') throw badSkill(`${rawPath}: file content must be a string`);
    const content = Buffer.from(text, 'utf8');
    const path = collector.admit(rawPath, content.length);
    await collector.add(path, content.length, content);
  }
}
