import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallHomeClient } from '../call-home-client.js';
import type { JobResult, SkillArchivePathPrefix, SkillsSyncData, SkillsSyncJob } from '../protocol.js';
import { readBody } from '../read-body.js';
import { RunnerError } from '../runner-error.js';
import { ensureRealParent } from '../workspace/safe-fs.js';
import { syncPathProblem } from '../workspace/sync-path.js';
import { readTar } from '../workspace/tar-reader.js';

const ARCHIVE_PREFIX: SkillArchivePathPrefix = '/v1/skills/';
/** What the runner believes /skills holds (name -> digest). Agent code can rewrite it: it only hurts itself. */
const STATE_FILE = '.agentd-skills.json';
const TEMP_PREFIX = '.agentd-skill-';
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_PATH_BYTES = 768;
const NAME = /^[a-z0-9-]{1,64}$/;
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Makes `root` (/skills) hold exactly the job's skills: unchanged ones (same digest) stay, changed ones are
 * unpacked into a fresh folder and swapped in, everything else is removed.
 */
export async function syncSkills(
  job: SkillsSyncJob,
  client: CallHomeClient,
  root: string,
): Promise<JobResult<SkillsSyncData>> {
  for (const skill of job.skills)
    if (!NAME.test(skill.name) || !DIGEST.test(skill.digest))
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `bad skill reference ${JSON.stringify(skill.name)}`);
  const wanted = new Set(job.skills.map((s) => s.name));
  const held = await readState(root);
  let deleted = 0;
  for (const entry of await readdir(root)) {
    if (entry === STATE_FILE || wanted.has(entry)) continue;
    await rm(path.join(root, entry), { recursive: true, force: true });
    if (!entry.startsWith(TEMP_PREFIX)) deleted += 1;
    held.delete(entry);
  }
  let written = 0;
  let kept = 0;
  let bytes = 0;
  for (const skill of job.skills) {
    const dir = path.join(root, skill.name);
    const stat = await lstat(dir).catch(() => undefined);
    if (held.get(skill.name) === skill.digest && stat?.isDirectory() === true) {
      kept += 1;
      continue;
    }
    held.delete(skill.name);
    await writeState(root, held);
    const temporary = path.join(root, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    await mkdir(temporary, { mode: 0o755 });
    bytes += await unpack(client, `${ARCHIVE_PREFIX}${job.syncId}/${skill.name}`, temporary);
    await rm(dir, { recursive: true, force: true });
    await rename(temporary, dir);
    held.set(skill.name, skill.digest);
    written += 1;
  }
  await writeState(root, held);
  return { jobId: job.jobId, ok: true, data: { written, kept, deleted, bytes } };
}

async function unpack(client: CallHomeClient, urlPath: string, dir: string): Promise<number> {
  const res = await client.stream({ method: 'GET', path: urlPath, timeoutMs: REQUEST_TIMEOUT_MS });
  if (res.statusCode !== 200) {
    const body = await readBody(res, 16 * 1024);
    throw new RunnerError(
      'WORKSPACE_SYNC_FAILED',
      `agentd refused ${urlPath} (${res.statusCode ?? 0}): ${body.toString('utf8')}`,
    );
  }
  let bytes = 0;
  for await (const entry of readTar(res as AsyncIterable<Buffer>)) {
    const problem = syncPathProblem(entry.path, MAX_PATH_BYTES);
    if (problem !== undefined)
      throw new RunnerError('WORKSPACE_SYNC_FAILED', `bad path in a skill: ${problem}`);
    const parent = await ensureRealParent(dir, entry.path);
    const handle = await open(path.join(parent, path.basename(entry.path)), 'wx', 0o444);
    try {
      for await (const chunk of entry.body) {
        await handle.write(chunk);
        bytes += chunk.length;
      }
    } finally {
      await handle.close();
    }
  }
  return bytes;
}

async function readState(root: string): Promise<Map<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(root, STATE_FILE), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return new Map();
    return new Map(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return new Map();
  }
}

async function writeState(root: string, held: ReadonlyMap<string, string>): Promise<void> {
  const temporary = path.join(root, `${STATE_FILE}.${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, JSON.stringify(Object.fromEntries(held)), { mode: 0o644, flag: 'wx' });
  await rename(temporary, path.join(root, STATE_FILE));
}
