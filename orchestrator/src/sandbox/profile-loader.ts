import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import {
  limitIssues,
  SandboxProfileSchema,
  type SandboxProfile,
  type SandboxProfileDocument,
} from './profile.js';

export interface ProfileLoaderPaths {
  profilesDir: string;
  seccompDir: string;
  apparmorDir: string;
}

/** Loads and validates every `<name>.json` in the profiles directory; any problem in any file fails the load. */
export async function loadProfiles(paths: ProfileLoaderPaths): Promise<Map<string, SandboxProfile>> {
  const files = (await readdir(paths.profilesDir)).filter((f) => f.endsWith('.json')).sort();
  const profiles = new Map<string, SandboxProfile>();
  const issues: string[] = [];
  for (const file of files) {
    try {
      const profile = await loadProfile(path.join(paths.profilesDir, file), paths);
      profiles.set(profile.name, profile);
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues.map((i) => `${file}: ${i}`));
      else throw err;
    }
  }
  if (issues.length > 0)
    throw new ValidationError(`invalid sandbox profiles in ${paths.profilesDir}`, issues);
  if (profiles.size === 0)
    throw new ValidationError('no sandbox profiles', [`${paths.profilesDir} has no *.json`]);
  return profiles;
}

export async function loadProfile(file: string, paths: ProfileLoaderPaths): Promise<SandboxProfile> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ValidationError('unreadable profile', [`${file}: ${(err as Error).message}`]);
  }
  const issues = schemaIssues(SandboxProfileSchema, document);
  if (issues.length > 0) throw new ValidationError('invalid profile', issues);
  const doc = document as SandboxProfileDocument;
  const expectedName = path.basename(file, '.json');
  if (doc.name !== expectedName)
    issues.push(`/name: "${doc.name}" must match the file name "${expectedName}"`);
  issues.push(...limitIssues(doc.limits));

  const seccompJson = await readOrIssue(
    path.join(paths.seccompDir, doc.seccompProfile),
    issues,
    '/seccompProfile',
  );
  const apparmorText = await readOrIssue(
    path.join(paths.apparmorDir, doc.apparmorProfile),
    issues,
    '/apparmorProfile',
  );
  if (seccompJson !== undefined) {
    try {
      // Docker takes the profile's content; re-serialise it compactly (the engine API carries it inline).
      const parsed = JSON.parse(seccompJson) as { defaultAction?: unknown };
      if (typeof parsed.defaultAction !== 'string') issues.push('/seccompProfile: has no defaultAction');
    } catch (err) {
      issues.push(`/seccompProfile: not JSON: ${(err as Error).message}`);
    }
  }
  if (issues.length > 0 || seccompJson === undefined || apparmorText === undefined) {
    throw new ValidationError('invalid profile', issues);
  }
  const compactSeccomp = JSON.stringify(JSON.parse(seccompJson));
  return {
    ...doc,
    seccompJson: compactSeccomp,
    seccompSha256: sha256(seccompJson),
    apparmorText,
    apparmorSha256: sha256(apparmorText),
  };
}

async function readOrIssue(file: string, issues: string[], field: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    issues.push(`${field}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
