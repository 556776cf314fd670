import { stat } from 'node:fs/promises';
import type { Logger } from '../common/logger.js';
import { CA_BUNDLE_FILE, writeCaBundle } from './ca-bundle.js';
import type { InjectionRule } from './injection-rule.js';
import { SandboxCa } from './sandbox-ca.js';

export interface SandboxAuthoritiesOptions {
  /** The host directory mounted read-only at /run/agentd in the sandbox (CallHomeServer.socketDirOf). */
  socketDirOf: (sandboxId: string) => string;
  roots: () => string[];
  caLifetimeMs: number;
  leafLifetimeMs: number;
  logger: Logger;
  now?: () => Date;
}

/**
 * The node's sandbox CAs, in memory only: one per sandbox with injection rules, made (or remade, when its
 * hosts change or it nears its end) as a run gets its policy, and its bundle written where the sandbox reads it.
 */
export class SandboxAuthorities {
  readonly #byId = new Map<string, { key: string; ca: SandboxCa | undefined }>();
  readonly #log: Logger;

  constructor(private readonly options: SandboxAuthoritiesOptions) {
    this.#log = options.logger.child({ component: 'sandbox-ca' });
  }

  /**
   * Writes the sandbox's CA bundle (the roots, plus its CA when there are rules to inject, made or remade when
   * the hosts change or it nears its end) and returns its file name in /run/agentd.
   */
  async prepare(sandboxId: string, rules: readonly InjectionRule[]): Promise<string> {
    const hosts = [...new Set(rules.map((r) => r.host))].sort();
    const key = hosts.join(',');
    const now = (this.options.now?.() ?? new Date()).getTime();
    const current = this.#byId.get(sandboxId);
    // Renewed while a quarter of its life is left: a run never outlives the CA its tools trust.
    const fresh =
      current?.key === key &&
      (current.ca === undefined || current.ca.notAfter.getTime() - now > this.options.caLifetimeMs / 4);
    if (fresh) return CA_BUNDLE_FILE;
    await this.#prune();
    const ca =
      hosts.length === 0
        ? undefined
        : await SandboxCa.create({
            hosts,
            label: sandboxId,
            caLifetimeMs: this.options.caLifetimeMs,
            leafLifetimeMs: this.options.leafLifetimeMs,
            ...(this.options.now ? { now: this.options.now } : {}),
          });
    await writeCaBundle(this.options.socketDirOf(sandboxId), this.options.roots(), ca?.certPem);
    this.#byId.set(sandboxId, { key, ca });
    if (ca) this.#log.info({ sandboxId, hosts }, 'Created the sandbox CA and wrote its bundle');
    return CA_BUNDLE_FILE;
  }

  authorityFor(sandboxId: string): SandboxCa | undefined {
    return this.#byId.get(sandboxId)?.ca;
  }

  forget(sandboxId: string): void {
    this.#byId.delete(sandboxId);
  }

  /** Drops the CAs of sandboxes that are gone (their call-home directory is removed with them). */
  async #prune(): Promise<void> {
    for (const id of [...this.#byId.keys()]) {
      const exists = await stat(this.options.socketDirOf(id)).then(
        () => true,
        () => false,
      );
      if (!exists) this.#byId.delete(id);
    }
  }
}
