import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TEST_SECRETS_KEY } from './test-secrets-key.js';

const CLI = fileURLToPath(new URL('../../orchestrator/dist/cli.js', import.meta.url));

export interface AgentdProcess {
  nodeId: string;
  url: string;
  child: ChildProcess;
  /** Log lines (JSON) the process wrote, for assertions and for debugging a failure. */
  logs: string[];
  /** Sends a signal and waits for the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * A real `agentd serve` process (the compiled CLI), as operators run it: its own port, node id and state dir,
 * sharing PostgreSQL, Redis and the Docker engine with its siblings.
 */
export async function spawnAgentd(
  nodeId: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<AgentdProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      APP_HOST: '127.0.0.1',
      APP_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      AGENTD_NODE_ID: nodeId,
      AGENTD_SECRETS_KEY: TEST_SECRETS_KEY,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let resolveUrl!: (url: string) => void;
  const listening = new Promise<string>((resolve) => (resolveUrl = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line);
      if (logs.length > 5_000) logs.shift();
      if (line.includes('"agentd listening"')) {
        const url = (JSON.parse(line) as { url?: string }).url;
        if (url) resolveUrl(url);
      }
    });
  }
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () =>
        reject(
          new Error(`agentd ${nodeId} did not start within ${timeoutMs} ms:\n${logs.slice(-30).join('\n')}`),
        ),
      timeoutMs,
    ).unref(),
  );
  const failed = exited.then((code) => {
    throw new Error(
      `agentd ${nodeId} exited with ${String(code)} before listening:\n${logs.slice(-30).join('\n')}`,
    );
  });
  const url = await Promise.race([listening, timeout, failed]);
  return {
    nodeId,
    url,
    child,
    logs,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Waits until `url/health/ready` answers 200. */
export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
