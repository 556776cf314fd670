import { extract } from 'tar-stream';
import { AgentdError, NotFoundError, ValidationError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AuditContext, AuditService } from '../controlplane/audit-service.js';
import type { Store } from '../store/repositories.js';
import type { StoredSkill } from '../store/skill-repository.js';
import { readSkillUpload, uploadFormat, type ValidatedSkill } from './read-skill-upload.js';
import { badSkill, skillTooLarge } from './skill-errors.js';
import { skillNameProblem, type SkillLimits } from './skill-limits.js';
import type { SkillObjects } from './skill-objects.js';

export type { StoredSkill } from '../store/skill-repository.js';

export interface SkillFileInfo {
  path: string;
  size: number;
}

export interface SkillServiceOptions {
  store: Store;
  objects: SkillObjects;
  audit: AuditService;
  limits: SkillLimits;
  logger: Logger;
}

/** What a skill costs in /skills: its bytes plus a tmpfs page per file. */
const PAGE_BYTES = 4096;

/**
 * A tenant's Agent Skills: validated uploads stored as content-addressed archives in the workspace store,
 * indexed in the database with a version; every change audited. Nothing is stored unless every check passed.
 */
export class SkillService {
  readonly #log: Logger;

  constructor(private readonly options: SkillServiceOptions) {
    this.#log = options.logger.child({ component: 'skills' });
  }

  async list(tenantId: string): Promise<StoredSkill[]> {
    await this.#tenant(tenantId);
    return this.options.store.skills.list(tenantId);
  }

  async get(tenantId: string, name: string): Promise<{ skill: StoredSkill; files: SkillFileInfo[] }> {
    const skill = await this.#skill(tenantId, name);
    const archive = await this.options.objects.get(tenantId, name, skill.digest);
    if (!archive)
      throw new AgentdError('INTERNAL_ERROR', `the archive of skill ${name} is missing from the store`);
    return { skill, files: await listArchive(archive) };
  }

  /** The stored archive of one version (what a sandbox receives). */
  async archive(tenantId: string, name: string, digest: string): Promise<Buffer> {
    const archive = await this.options.objects.get(tenantId, name, digest);
    if (!archive) throw new NotFoundError('skill archive', `${name}@${digest.slice(0, 12)}`);
    return archive;
  }

  /** POST: a new skill (its name comes from SKILL.md); an existing name is refused (PUT replaces). */
  async create(
    context: AuditContext,
    tenantId: string,
    contentType: string | undefined,
    body: AsyncIterable<Buffer>,
  ): Promise<StoredSkill> {
    await this.#tenant(tenantId);
    const upload = await readSkillUpload(uploadFormat(contentType), body, this.options.limits);
    if (!upload.skill)
      throw badSkill('files are required (a JSON upload without files only toggles enabled, on PUT)');
    if (await this.options.store.skills.get(tenantId, upload.skill.name))
      throw new ValidationError('invalid skill', [`skill ${upload.skill.name} exists: PUT it to replace it`]);
    return (await this.#store(context, tenantId, upload.skill, upload.enabled)).skill;
  }

  /** PUT: replaces a skill's files (or creates it), or with a JSON body of `{enabled}` only, toggles it. */
  async replace(
    context: AuditContext,
    tenantId: string,
    name: string,
    contentType: string | undefined,
    body: AsyncIterable<Buffer>,
  ): Promise<{ skill: StoredSkill; created: boolean }> {
    const problem = skillNameProblem(name);
    if (problem !== undefined) throw badSkill(`name ${problem}`);
    await this.#tenant(tenantId);
    const upload = await readSkillUpload(uploadFormat(contentType), body, this.options.limits);
    if (upload.name !== undefined && upload.name !== name)
      throw badSkill(`the upload is skill ${upload.name}, the path names ${name}`);
    if (!upload.skill) {
      if (upload.enabled === undefined) throw badSkill('nothing to change: give files, or enabled');
      const current = await this.#skill(tenantId, name);
      if (upload.enabled) await this.#checkBudget(tenantId, name, current.sizeBytes, current.fileCount);
      const skill = await this.options.store.skills.setEnabled(tenantId, name, upload.enabled);
      if (!skill) throw new NotFoundError('skill', name);
      await this.options.audit.record(context, 'skill.update', target(tenantId, name), {
        enabled: upload.enabled,
      });
      return { skill, created: false };
    }
    return this.#store(context, tenantId, upload.skill, upload.enabled);
  }

  async delete(context: AuditContext, tenantId: string, name: string): Promise<void> {
    const skill = await this.options.store.skills.delete(tenantId, name);
    if (!skill) throw new NotFoundError('skill', name);
    await this.options.audit.record(context, 'skill.delete', target(tenantId, name), {
      version: skill.version,
    });
    await this.#dropObject(tenantId, name, skill.digest);
  }

  /** The skills a conversation chose; null = all its tenant's enabled skills. */
  async choice(tenantId: string, conversationId: string): Promise<string[] | null> {
    await this.#conversation(tenantId, conversationId);
    return (await this.options.store.skills.choice(conversationId)) ?? null;
  }

  async choose(
    context: AuditContext,
    tenantId: string,
    conversationId: string,
    names: readonly string[] | null | undefined,
    extra: Record<string, unknown> = {},
  ): Promise<string[] | null> {
    await this.#conversation(tenantId, conversationId);
    if (names === undefined) throw badSkill('skills is required: a list of skill names, or null for all');
    const unknownFields = Object.keys(extra);
    if (unknownFields.length > 0) throw badSkill(`unknown field ${unknownFields[0] ?? ''}`);
    const unique = names === null ? null : [...new Set(names)].sort();
    await this.options.store.skills.setChoice(conversationId, unique);
    await this.options.audit.record(context, 'conversation.skills', `conversation:${conversationId}`, {
      skills: unique,
    });
    return unique;
  }

  async #store(
    context: AuditContext,
    tenantId: string,
    upload: ValidatedSkill,
    enabled: boolean | undefined,
  ): Promise<{ skill: StoredSkill; created: boolean }> {
    const { store, objects, limits } = this.options;
    const existing = await store.skills.get(tenantId, upload.name);
    if (!existing && (await store.skills.list(tenantId)).length >= limits.maxSkillsPerTenant)
      throw skillTooLarge(`tenant ${tenantId} has ${limits.maxSkillsPerTenant} skills already`);
    if (enabled ?? existing?.enabled ?? true)
      await this.#checkBudget(tenantId, upload.name, upload.size, upload.fileCount);
    // Content-addressed: concurrent uploads of one name never overwrite each other's bytes.
    await objects.put(tenantId, upload.name, upload.digest, upload.archive);
    const { skill, replaced } = await store.skills.put(
      tenantId,
      upload.name,
      {
        description: upload.description,
        sizeBytes: upload.size,
        fileCount: upload.fileCount,
        digest: upload.digest,
      },
      enabled,
    );
    await this.options.audit.record(
      context,
      existing ? 'skill.update' : 'skill.create',
      target(tenantId, skill.name),
      {
        version: skill.version,
        digest: skill.digest,
        sizeBytes: skill.sizeBytes,
        fileCount: skill.fileCount,
        enabled: skill.enabled,
      },
    );
    if (replaced !== undefined && replaced !== skill.digest)
      await this.#dropObject(tenantId, skill.name, replaced);
    return { skill, created: !existing };
  }

  /** The enabled skills of a tenant must fit in a sandbox's /skills together. */
  async #checkBudget(tenantId: string, name: string, sizeBytes: number, fileCount: number): Promise<void> {
    const others = (await this.options.store.skills.list(tenantId)).filter(
      (s) => s.enabled && s.name !== name,
    );
    const total = [...others, { sizeBytes, fileCount }].reduce(
      (sum, s) => sum + s.sizeBytes + s.fileCount * PAGE_BYTES,
      0,
    );
    if (total > this.options.limits.maxEnabledBytes)
      throw skillTooLarge(
        `the tenant's enabled skills would take ${total} bytes in /skills, more than ${this.options.limits.maxEnabledBytes}`,
      );
  }

  async #dropObject(tenantId: string, name: string, digest: string): Promise<void> {
    // Best effort: an orphaned archive costs storage, never correctness (nothing refers to it).
    await this.options.objects.delete(tenantId, name, digest).catch((err: unknown) => {
      this.#log.warn({ err, tenantId, skill: name }, 'Could not delete a replaced skill archive');
    });
  }

  async #tenant(tenantId: string): Promise<void> {
    if (!(await this.options.store.tenants.get(tenantId))) throw new NotFoundError('tenant', tenantId);
  }

  async #conversation(tenantId: string, conversationId: string): Promise<void> {
    if (!(await this.options.store.conversations.get(tenantId, conversationId)))
      throw new NotFoundError('conversation', conversationId);
  }

  async #skill(tenantId: string, name: string): Promise<StoredSkill> {
    const skill = await this.options.store.skills.get(tenantId, name);
    if (!skill) throw new NotFoundError('skill', name);
    return skill;
  }
}

function target(tenantId: string, name: string): string {
  return `skill:${tenantId}/${name}`;
}

async function listArchive(archive: Buffer): Promise<SkillFileInfo[]> {
  const files: SkillFileInfo[] = [];
  const tar = extract();
  tar.end(archive);
  for await (const entry of tar) {
    files.push({ path: entry.header.name, size: entry.header.size });
    entry.resume();
  }
  return files;
}
