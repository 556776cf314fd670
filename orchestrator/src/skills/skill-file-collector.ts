import { pathProblem, treeConflict } from '../workspace/workspace-path.js';
import { badSkill, skillTooLarge } from './skill-errors.js';
import type { SkillLimits } from './skill-limits.js';

export const SKILL_MD = 'SKILL.md';

export interface SkillFile {
  path: string;
  content: Buffer;
}

/** A skill's files, SKILL.md at the root, sorted by path; `folder` is the archive's top folder, if it had one. */
export interface CollectedSkill {
  files: SkillFile[];
  folder: string | undefined;
}

/**
 * Gathers an upload's files under the skill limits as they stream: an entry is judged by its header before
 * its body is read (a declared 1 GB entry is refused at once), and bodies are counted while they arrive (a
 * header that lies is caught at the limit, never buffered beyond it). Paths follow the workspace rules.
 */
export class SkillFileCollector {
  readonly #files = new Map<string, Buffer>();
  #total = 0;

  constructor(private readonly limits: SkillLimits) {}

  /** The entry's path as stored, after checking it and its declared size; throws when it may not be stored. */
  admit(rawPath: string, declaredSize: number): string {
    const path = rawPath.replace(/^(\.\/)+/, '');
    const problem = pathProblem(path);
    if (problem !== undefined) throw badSkill(`${JSON.stringify(rawPath.slice(0, 200))}: path ${problem}`);
    if (this.#files.has(path)) throw badSkill(`${path}: appears twice`);
    if (this.#files.size + 1 > this.limits.maxFiles)
      throw skillTooLarge(`more than ${this.limits.maxFiles} files`);
    if (!Number.isSafeInteger(declaredSize) || declaredSize < 0) throw badSkill(`${path}: bad size`);
    if (this.#total + declaredSize > this.limits.maxSkillBytes)
      throw skillTooLarge(
        `${path} declares ${declaredSize} bytes; a skill's files may total ${this.limits.maxSkillBytes}`,
      );
    return path;
  }

  /** Reads one admitted entry's body, counting bytes as they come. */
  async add(path: string, declaredSize: number, body: AsyncIterable<Buffer> | Buffer): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
      size += chunk.length;
      if (size > declaredSize) throw badSkill(`${path}: longer than its declared ${declaredSize} bytes`);
      this.#checkTotal(path, size);
      chunks.push(chunk);
    }
    if (size !== declaredSize) throw badSkill(`${path}: shorter than its declared ${declaredSize} bytes`);
    this.#total += size;
    this.#files.set(path, Buffer.concat(chunks, size));
  }

  finish(): CollectedSkill {
    let folder: string | undefined;
    let files = [...this.#files].map(([path, content]) => ({ path, content }));
    if (!this.#files.has(SKILL_MD)) {
      const tops = new Set(files.map((f) => f.path.split('/')[0]));
      const [top] = tops;
      if (tops.size === 1 && top !== undefined && this.#files.has(`${top}/${SKILL_MD}`)) {
        folder = top;
        files = files.map((f) => ({ path: f.path.slice(top.length + 1), content: f.content }));
      } else throw badSkill(`no ${SKILL_MD} at the root of the skill (or in its one top folder)`);
    }
    const conflict = treeConflict(files.map((f) => f.path));
    if (conflict !== undefined) throw badSkill(`${conflict} is both a file and a folder`);
    const doc = files.find((f) => f.path === SKILL_MD);
    if (doc && doc.content.length > this.limits.maxSkillMdBytes)
      throw skillTooLarge(`${SKILL_MD} is larger than ${this.limits.maxSkillMdBytes} bytes`);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { files, folder };
  }

  #checkTotal(path: string, pending: number): void {
    if (this.#total + pending > this.limits.maxSkillBytes)
      throw skillTooLarge(`${path}: the skill's files exceed ${this.limits.maxSkillBytes} bytes`);
  }
}
