import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const skillMd = (name: string, description: string, body: string) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`;

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of tar as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const [name, content] of Object.entries(files))
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name, type: 'file', size: Buffer.byteLength(content) }, content, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => zip.outputStream.on('end', () => resolve(Buffer.concat(chunks))));
}

/** A ustar header declaring `size` bytes: the body that follows is generated, never allocated. */
function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write('0000644\0', 100);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write('0', 156);
  block.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

describe('Agent Skills: upload, delivery into /skills, the system prompt (real sandbox, scripted model)', () => {
  let d: TestDaemon;
  let tenantId: string;
  let conversationId: string;
  const skills = () => `/api/tenants/${tenantId}/skills`;
  const upload = (method: 'POST' | 'PUT', path: string, type: string, body: Buffer | string) =>
    fetch(`${d.url}${path}`, { method, headers: { 'x-api-key': d.adminKey, 'content-type': type }, body });
  const run = async (message: string, conversation = conversationId): Promise<string> => {
    const res = await d.api('POST', `/api/tenants/${tenantId}/conversations/${conversation}/query`, {
      message,
    });
    expect(res.body.status, JSON.stringify(res.body)).toBe('succeeded');
    return String(res.body.final);
  };
  const bash = (command: string) => `@tool bash ${JSON.stringify({ command })}\n@result`;

  beforeAll(async () => {
    d = await startTestDaemon();
    tenantId = (await d.api('POST', '/api/tenants', { name: 'skills', systemPrompt: 'You are careful.' }))
      .body.id as string;
    conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('registers skills from a tar.gz, a zip and a JSON file map; lists, reads and audits them', async () => {
    const tar = gzipSync(
      await tarOf({
        'pdf-tools/SKILL.md': skillMd(
          'pdf-tools',
          'Fill and merge PDF forms.',
          'PDF-BODY-V1: run scripts/fill.py',
        ),
        'pdf-tools/scripts/fill.py': 'print("filled")\n',
      }),
    );
    const created = await upload('POST', skills(), 'application/gzip', tar);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'pdf-tools',
      version: 1,
      fileCount: 2,
      enabled: true,
    });
    const zip = await zipOf({ 'SKILL.md': skillMd('csv-stats', 'Summarise CSV files.', 'CSV-BODY') });
    expect((await upload('POST', skills(), 'application/zip', zip)).status).toBe(201);
    const json = JSON.stringify({
      files: { 'SKILL.md': skillMd('git-flow', 'Branching rules.', 'GIT-BODY') },
    });
    expect((await upload('POST', skills(), 'application/json', json)).status).toBe(201);
    expect((await upload('POST', skills(), 'application/json', json)).status).toBe(400);

    const list = await d.api('GET', skills());
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual([
      'csv-stats',
      'git-flow',
      'pdf-tools',
    ]);
    const one = await d.api('GET', `${skills()}/pdf-tools`);
    expect(one.body.files).toEqual([
      { path: 'SKILL.md', size: expect.any(Number) },
      { path: 'scripts/fill.py', size: 16 },
    ]);
    const audit = await d.api('GET', '/api/audit/log?action=skill.create');
    const targets = audit.body.items.map((e: { target: string }) => e.target);
    expect(targets).toContain(`skill:${tenantId}/pdf-tools`);
  });

  it('refuses a symlink (400) and a 1 GB entry at its header (413), storing nothing', async () => {
    const link = pack();
    link.entry({ name: 'SKILL.md', type: 'symlink', linkname: '/etc/passwd' });
    link.finalize();
    const chunks: Buffer[] = [];
    for await (const c of link as AsyncIterable<Buffer>) chunks.push(c);
    const refused = await upload('POST', skills(), 'application/x-tar', Buffer.concat(chunks));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/symlink/);

    let sent = 0;
    const huge = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(header('huge.bin', 1024 ** 3));
      },
      pull(controller) {
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await fetch(`${d.url}${skills()}`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/x-tar' },
      body: huge,
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { code: 'SKILL_LIMIT', message: expect.stringMatching(/huge\.bin declares 1073741824 bytes/) },
    });
    await huge.cancel().catch(() => undefined);
    // The refusal came from the header: only what sat in buffers was read, never the gigabyte.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect((await d.api('GET', skills())).body.items).toHaveLength(3);
  });

  it('delivers the skills to /skills/<name>/ and lists them (not their bodies) in the system prompt', async () => {
    const prompt = await run('@system');
    expect(prompt).toContain('You are careful.');
    for (const [name, description] of [
      ['pdf-tools', 'Fill and merge PDF forms.'],
      ['csv-stats', 'Summarise CSV files.'],
      ['git-flow', 'Branching rules.'],
    ])
      expect(prompt).toContain(`- ${name}: ${description} (/skills/${name}/SKILL.md)`);
    expect(prompt).not.toContain('PDF-BODY');

    const seen = await run(
      bash('cat /skills/pdf-tools/SKILL.md; python3 /skills/pdf-tools/scripts/fill.py; ls /skills'),
    );
    expect(seen).toContain('PDF-BODY-V1');
    expect(seen).toContain('filled');
    expect(seen).toMatch(/csv-stats\s+git-flow\s+pdf-tools/);
  });

  it('shows an update in the next run, re-sends only what changed, removes a deleted skill; nothing syncs back', async () => {
    const inode = (name: string) => `stat -c '${name}=%i' /skills/${name}/SKILL.md`;
    const before = await run(bash(`${inode('csv-stats')}; ${inode('pdf-tools')}`));
    const updated = await upload(
      'PUT',
      `${skills()}/pdf-tools`,
      'application/json',
      JSON.stringify({ files: { 'SKILL.md': skillMd('pdf-tools', 'Fill PDF forms, v2.', 'PDF-BODY-V2') } }),
    );
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ version: 2, fileCount: 1 });
    expect((await d.api('DELETE', `${skills()}/git-flow`)).status).toBe(204);

    const after = await run(
      `@system\n${bash(`cat /skills/pdf-tools/SKILL.md; echo FILES=$(ls /skills/pdf-tools); ${inode('csv-stats')}; ${inode('pdf-tools')}; ls /skills`)}`,
    );
    expect(after).toContain('PDF-BODY-V2');
    expect(after).toContain('- pdf-tools: Fill PDF forms, v2.');
    expect(after).not.toContain('git-flow');
    expect(after).toContain('FILES=SKILL.md\n');
    const ids = (text: string, name: string) => new RegExp(`${name}=(\\d+)`).exec(text)?.[1];
    // Unchanged skills stay as they were (same inode); the changed one was written anew.
    expect(ids(after, 'csv-stats')).toBe(ids(before, 'csv-stats'));
    expect(ids(after, 'pdf-tools')).not.toBe(ids(before, 'pdf-tools'));

    const files = await d.api(
      'GET',
      `/api/tenants/${tenantId}/conversations/${conversationId}/workspace/files`,
    );
    expect(files.body.items).toEqual([]);
  });

  it('gives a conversation only the skills it chose; disabled skills are not delivered', async () => {
    const chosen = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, { skills: ['csv-stats'] }))
      .body.id as string;
    expect((await d.api('GET', `/api/tenants/${tenantId}/conversations/${chosen}/skills`)).body).toEqual({
      skills: ['csv-stats'],
    });
    const text = await run(`@system\n${bash('ls /skills')}`, chosen);
    expect(text).toContain('- csv-stats:');
    expect(text).not.toContain('pdf-tools');

    const off = await upload(
      'PUT',
      `${skills()}/csv-stats`,
      'application/json',
      JSON.stringify({ enabled: false }),
    );
    expect(await off.json()).toMatchObject({ enabled: false, version: 1 });
    const none = await run(`@system\n${bash('echo COUNT=$(ls -A /skills | grep -vc "^\\.agentd")')}`, chosen);
    expect(none).not.toContain('<available_skills>');
    expect(none).toContain('COUNT=0\n');
    const all = await d.api('PUT', `/api/tenants/${tenantId}/conversations/${chosen}/skills`, {
      skills: null,
    });
    expect(all.body).toEqual({ skills: null });
    expect((await d.api('PUT', `/api/tenants/${tenantId}/conversations/${chosen}/skills`, {})).status).toBe(
      400,
    );
  });
});
