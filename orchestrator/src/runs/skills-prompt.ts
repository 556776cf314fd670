/** A skill as the model is told of it: where it lives, what it is for (progressive disclosure: not its body). */
export interface SkillListing {
  name: string;
  description: string;
}

/** Where skills are mounted in every sandbox (docker/hardened-spec.ts mounts the tmpfs). */
export const SKILLS_ROOT = '/skills';

/**
 * The system prompt with the run's skills listed after the tenant's own prompt: name, description and the
 * path of SKILL.md. The agent reads a skill's instructions with its own tools when it needs them.
 */
export function withSkills(systemPrompt: string | null, skills: readonly SkillListing[]): string | null {
  if (skills.length === 0) return systemPrompt;
  const lines = skills.map(
    (s) => `- ${s.name}: ${s.description.replace(/\s+/g, ' ')} (${SKILLS_ROOT}/${s.name}/SKILL.md)`,
  );
  const section = [
    '<available_skills>',
    `Skills are folders of instructions, scripts and resources under ${SKILLS_ROOT}/ (read-only copies; outside the workspace).`,
    "When a task matches a skill's description, read its SKILL.md first (for example with bash: cat " +
      `${SKILLS_ROOT}/<name>/SKILL.md) and follow it; open the other files it mentions only when needed.`,
    ...lines,
    '</available_skills>',
  ].join('\n');
  return systemPrompt === null || systemPrompt === '' ? section : `${systemPrompt}\n\n${section}`;
}
