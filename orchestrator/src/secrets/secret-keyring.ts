import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import { parseSecretKeys, type SecretKeyConfig } from '../config/secrets-config.js';

/** The keys secrets are sealed with: the first seals, the others only open (rotation). */
export class SecretKeyring {
  readonly current: SecretKeyConfig;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(keys: readonly SecretKeyConfig[]) {
    const [current] = keys;
    if (current === undefined) throw new AgentdError('VALIDATION_FAILED', 'the secrets keyring has no key');
    this.current = current;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get(keyId: string): Buffer | undefined {
    return this.byId.get(keyId);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Key material never reaches a log line or a JSON body by accident. */
  toJSON(): { current: string; ids: string[] } {
    return { current: this.current.id, ids: this.ids };
  }
}

export const DEVELOPMENT_KEY_FILE = 'secrets.key';

export interface KeyringSource {
  keys: readonly SecretKeyConfig[] | undefined;
  stateDir: string;
  production: boolean;
  /** REDIS_URL is set: several nodes must open each other's secrets, so one generated per node cannot do. */
  multiNode: boolean;
}

/**
 * The configured keyring, or in development a key generated once into `<stateDir>/secrets.key` (0600) and
 * reused. Production and multi-node without AGENTD_SECRETS_KEY refuse to start.
 */
export async function loadSecretKeyring(
  source: KeyringSource,
): Promise<{ keyring: SecretKeyring; generatedFile?: string }> {
  if (source.keys !== undefined) return { keyring: new SecretKeyring(source.keys) };
  if (source.production || source.multiNode) {
    const why = source.production ? 'production' : 'REDIS_URL is set (several nodes share the database)';
    throw new AgentdError(
      'VALIDATION_FAILED',
      `agentd refuses to start: AGENTD_SECRETS_KEY is required when ${why}; set it to keyId:base64 of 32 random bytes (e.g. k1:$(openssl rand -base64 32))`,
      { severity: 'critical', details: { issues: [`AGENTD_SECRETS_KEY: required when ${why}`] } },
    );
  }
  const file = path.join(source.stateDir, DEVELOPMENT_KEY_FILE);
  await mkdir(source.stateDir, { recursive: true, mode: 0o711 });
  const created = await createKeyFile(file);
  const text = (await readFile(file, 'utf8')).trim();
  const mode = (await stat(file)).mode & 0o777;
  if (mode !== 0o600) await chmod(file, 0o600);
  const parsed = parseSecretKeys(text);
  if (parsed.issues.length > 0)
    throw new AgentdError('VALIDATION_FAILED', `${file}: ${parsed.issues.join('; ')}`, {
      severity: 'critical',
    });
  return { keyring: new SecretKeyring(parsed.keys), ...(created ? { generatedFile: file } : {}) };
}

/** Creates the file exclusively (0600 from the start); false when it already exists. */
async function createKeyFile(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`dev-${randomId(8)}:${randomBytes(32).toString('base64')}\n`);
  } finally {
    await handle.close();
  }
  return true;
}
