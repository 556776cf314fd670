import { badSkill } from './skill-errors.js';
import { canonicalArchive } from './skill-archive.js';
import { parseSkillDocument } from './skill-document.js';
import { SKILL_MD, SkillFileCollector, type SkillFile } from './skill-file-collector.js';
import type { SkillLimits } from './skill-limits.js';
import { readTarUpload } from './read-tar-upload.js';
import { readZipUpload } from './read-zip-upload.js';
import { collectJsonFiles, parseJsonBody } from './read-json-upload.js';
import { readUpload } from './upload-bytes.js';

export type SkillUploadFormat = 'tar' | 'zip' | 'json';

const FORMATS: Readonly<Record<string, SkillUploadFormat>> = {
  'application/x-tar': 'tar',
  'application/tar': 'tar',
  'application/gzip': 'tar',
  'application/x-gzip': 'tar',
  'application/x-compressed-tar': 'tar',
  'application/zip': 'zip',
  'application/x-zip-compressed': 'zip',
  'application/json': 'json',
};

/** A skill that passed every check, in its stored form. */
export interface ValidatedSkill {
  name: string;
  description: string;
  files: SkillFile[];
  size: number;
  fileCount: number;
  digest: string;
  archive: Buffer;
}

/** What an upload asks for: new content (always for archives), and for JSON maybe only `enabled`. */
export interface SkillUpload {
  skill: ValidatedSkill | undefined;
  name: string | undefined;
  enabled: boolean | undefined;
}

export function uploadFormat(contentType: string | undefined): SkillUploadFormat {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = FORMATS[mime];
  if (format === undefined)
    throw badSkill(
      `content type ${JSON.stringify(mime)} is not a skill upload (application/x-tar, application/gzip, application/zip or application/json)`,
    );
  return format;
}

/** Reads and validates an upload as it streams; throws 400/413 with the reason, having stored nothing. */
export async function readSkillUpload(
  format: SkillUploadFormat,
  body: AsyncIterable<Buffer>,
  limits: SkillLimits,
): Promise<SkillUpload> {
  const collector = new SkillFileCollector(limits);
  let name: string | undefined;
  let enabled: boolean | undefined;
  if (format === 'tar') await readTarUpload(body, limits, collector);
  else if (format === 'zip')
    await readZipUpload(await readUpload(body, limits.maxUploadBytes), limits, collector);
  else {
    // JSON escapes can double a text's size; the unpacked total is still held to maxSkillBytes.
    const json = parseJsonBody(await readUpload(body, limits.maxUploadBytes * 2));
    ({ name, enabled } = json);
    if (json.files === undefined) return { skill: undefined, name, enabled };
    await collectJsonFiles(json.files, limits, collector);
  }
  const { files, folder } = collector.finish();
  const doc = parseSkillDocument(files.find((f) => f.path === SKILL_MD)?.content ?? Buffer.alloc(0), limits);
  if (folder !== undefined && folder !== doc.name)
    throw badSkill(`the archive's folder ${folder} differs from the name in SKILL.md (${doc.name})`);
  if (name !== undefined && name !== doc.name)
    throw badSkill(`name ${name} differs from the name in SKILL.md (${doc.name})`);
  const { archive, digest } = await canonicalArchive(files);
  return {
    skill: {
      ...doc,
      files,
      size: files.reduce((sum, f) => sum + f.content.length, 0),
      fileCount: files.length,
      digest,
      archive,
    },
    name: doc.name,
    enabled,
  };
}
