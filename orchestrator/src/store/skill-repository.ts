/** A tenant's skill as indexed; its files are an archive in the workspace store (one per version). */
export interface StoredSkill {
  tenantId: string;
  name: string;
  /** Starts at 1; a new upload with different content bumps it. */
  version: number;
  description: string;
  sizeBytes: number;
  fileCount: number;
  /** SHA-256 of the stored archive, hex. */
  digest: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type SkillContent = Pick<StoredSkill, 'description' | 'sizeBytes' | 'fileCount' | 'digest'>;

export interface SkillRepository {
  list(tenantId: string): Promise<StoredSkill[]>;
  get(tenantId: string, name: string): Promise<StoredSkill | undefined>;
  /**
   * Creates the skill at version 1, or records new content as the next version (the same content keeps its
   * version). `enabled` undefined leaves it as it is (true for a new skill). Returns the row and the digest
   * of the content it replaced (undefined when none or unchanged).
   */
  put(
    tenantId: string,
    name: string,
    content: SkillContent,
    enabled: boolean | undefined,
  ): Promise<{ skill: StoredSkill; replaced: string | undefined }>;
  setEnabled(tenantId: string, name: string, enabled: boolean): Promise<StoredSkill | undefined>;
  delete(tenantId: string, name: string): Promise<StoredSkill | undefined>;
  /** The names a conversation chose; undefined = every enabled skill of its tenant. */
  choice(conversationId: string): Promise<string[] | undefined>;
  setChoice(conversationId: string, names: readonly string[] | null): Promise<void>;
}
