import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface CliConfig {
  url: string;
  /** AGENTD_API_KEY, else the development admin key agentd wrote to its state directory. */
  apiKey: string | undefined;
}

/** What the CLI needs to reach a running agentd; flags override it. */
export async function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Promise<CliConfig> {
  const port = env.APP_PORT ?? '8000';
  const stateDir =
    env.AGENTD_STATE_DIR ??
    (process.getuid?.() === 0 ? '/var/lib/agentd' : path.join(env.HOME ?? '/tmp', '.local/state/agentd'));
  const fromFile = (await readFile(path.join(stateDir, 'admin.key'), 'utf8').catch(() => '')).trim();
  return {
    url: env.AGENTD_URL ?? `http://127.0.0.1:${port}`,
    apiKey: env.AGENTD_API_KEY ?? (fromFile === '' ? undefined : fromFile),
  };
}
