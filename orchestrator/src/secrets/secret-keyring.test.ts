import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSecretKeys } from '../config/secrets-config.js';
import { DEVELOPMENT_KEY_FILE, loadSecretKeyring } from './secret-keyring.js';

const material = Buffer.alloc(32, 7).toString('base64');

describe('parseSecretKeys', () => {
  it('reads the current key and older ones', () => {
    const { keys, issues } = parseSecretKeys(`k2:${material}, k1:${Buffer.alloc(32, 1).toString('base64')}`);
    expect(issues).toEqual([]);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]?.key).toHaveLength(32);
  });

  it('reports bad entries without echoing key material', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const { issues } = parseSecretKeys(
      `k1:${short},nocolon,k1:${material},k1:${material}, bad id:${material}`,
    );
    expect(issues).toHaveLength(4);
    expect(issues.join('\n')).not.toContain(short);
    expect(issues.join('\n')).not.toContain(material);
  });
});

describe('loadSecretKeyring', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-keyring-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('uses the configured keys as they are', async () => {
    const keys = parseSecretKeys(`k1:${material}`).keys;
    const { keyring, generatedFile } = await loadSecretKeyring({
      keys,
      stateDir,
      production: true,
      multiNode: true,
    });
    expect(keyring.current.id).toBe('k1');
    expect(generatedFile).toBeUndefined();
    expect(JSON.stringify(keyring)).not.toContain(material);
  });

  it.each([
    [{ production: true, multiNode: false }, /production/],
    [{ production: false, multiNode: true }, /REDIS_URL/],
  ])('refuses %o without a key', async (mode, why) => {
    await expect(loadSecretKeyring({ keys: undefined, stateDir, ...mode })).rejects.toThrow(why);
  });

  it('development generates a 0600 key file once and reuses it', async () => {
    const first = await loadSecretKeyring({ keys: undefined, stateDir, production: false, multiNode: false });
    const file = path.join(stateDir, DEVELOPMENT_KEY_FILE);
    expect(first.generatedFile).toBe(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadSecretKeyring({
      keys: undefined,
      stateDir,
      production: false,
      multiNode: false,
    });
    expect(second.generatedFile).toBeUndefined();
    expect(second.keyring.current.id).toBe(first.keyring.current.id);
    expect(second.keyring.current.key.equals(first.keyring.current.key)).toBe(true);
  });

  it('a damaged key file is a clear refusal', async () => {
    await writeFile(path.join(stateDir, DEVELOPMENT_KEY_FILE), 'not a key\n', { mode: 0o600 });
    await expect(
      loadSecretKeyring({ keys: undefined, stateDir, production: false, multiNode: false }),
    ).rejects.toThrow(/secrets\.key/);
    expect(await readFile(path.join(stateDir, DEVELOPMENT_KEY_FILE), 'utf8')).toBe('not a key\n');
  });
});
