import { readFile } from 'node:fs/promises';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AuditContext, AuditService } from '../controlplane/audit-service.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { Store } from '../store/repositories.js';
import {
  documentOf,
  parsePolicyText,
  resolvePolicy,
  type EffectivePolicy,
  type PolicyDocument,
} from './policy-document.js';

const SETTING_KEY = 'lifecycle-policy';

export type PolicySource = 'database' | 'file' | 'environment';

export interface PolicyState {
  document: unknown;
  effective: EffectivePolicy;
  source: PolicySource;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface PolicyServiceOptions {
  store: Store;
  audit: AuditService;
  /** Profiles as their files define them. */
  baseProfiles: ReadonlyMap<string, SandboxProfile>;
  /** The policy the environment describes (AGENTD_POOL_SIZE, AGENTD_IDLE_TTL …). */
  environment: LifecyclePolicy;
  /** AGENTD_POLICY_FILE: seeds the policy until one is set through the API. */
  file: string | undefined;
  logger: Logger;
  /** Called with every newly applied policy (the reaper restarts its timer on a new interval, for example). */
  onChange: (state: PolicyState) => void;
}

/**
 * The lifecycle policy: set through the API (stored in the database, shared by every node), else the policy
 * file, else the environment. Changes apply at once on the node that takes them and within one refresh on
 * the others; every change is audited.
 */
export class PolicyService {
  #state!: PolicyState;
  #profiles!: Map<string, SandboxProfile>;
  readonly #log: Logger;

  constructor(private readonly options: PolicyServiceOptions) {
    this.#log = options.logger.child({ component: 'policy' });
    this.#apply({
      document: documentOf(options.environment),
      effective: resolvePolicy(documentOf(options.environment), options.environment, options.baseProfiles),
      source: 'environment',
      updatedAt: null,
      updatedBy: null,
    });
  }

  get state(): PolicyState {
    return this.#state;
  }

  get lifecycle(): LifecyclePolicy {
    return this.#state.effective.lifecycle;
  }

  /** Profiles with the policy's limits applied. */
  profiles(): ReadonlyMap<string, SandboxProfile> {
    return this.#profiles;
  }

  /** Loads the file, then the database; call at start-up. */
  async load(): Promise<void> {
    if (this.options.file !== undefined) {
      const text = await readFile(this.options.file, 'utf8');
      const document = parsePolicyText(text, this.options.file);
      this.#apply({
        document,
        effective: this.#resolve(document),
        source: 'file',
        updatedAt: null,
        updatedBy: null,
      });
    }
    await this.refresh();
  }

  /** Picks up a policy another node stored. */
  async refresh(): Promise<void> {
    const stored = await this.options.store.settings.get(SETTING_KEY);
    if (!stored) return;
    const updatedAt = stored.updatedAt.toISOString();
    if (this.#state.source === 'database' && this.#state.updatedAt === updatedAt) return;
    try {
      this.#apply({
        document: stored.value,
        effective: this.#resolve(stored.value),
        source: 'database',
        updatedAt,
        updatedBy: stored.updatedBy,
      });
      this.#log.info({ updatedBy: stored.updatedBy }, 'Applied the stored lifecycle policy');
    } catch (err) {
      // A stored policy that no longer fits (a profile was removed) must not take the node down.
      this.#log.error(
        { reason: errorMessage(err) },
        'The stored lifecycle policy is invalid; keeping the current one',
      );
    }
  }

  /** Validates (every problem at once), stores, applies and audits a new policy document. */
  async update(context: AuditContext, document: unknown): Promise<PolicyState> {
    const effective = this.#resolve(document);
    const stored = await this.options.store.settings.put(SETTING_KEY, document, context.actor);
    const previous = this.#state.document;
    this.#apply({
      document,
      effective,
      source: 'database',
      updatedAt: stored.updatedAt.toISOString(),
      updatedBy: context.actor,
    });
    await this.options.audit.record(context, 'policy.update', 'policy:lifecycle', {
      previous,
      next: document as PolicyDocument,
    });
    return this.#state;
  }

  /** Validation only (for `agentd policy validate` and dry runs). */
  validate(document: unknown): EffectivePolicy {
    return this.#resolve(document);
  }

  #resolve(document: unknown): EffectivePolicy {
    return resolvePolicy(document, this.options.environment, this.options.baseProfiles);
  }

  #apply(state: PolicyState): void {
    this.#state = state;
    const profiles = new Map<string, SandboxProfile>();
    for (const [name, profile] of this.options.baseProfiles) {
      profiles.set(name, { ...profile, limits: state.effective.limits[name] ?? profile.limits });
    }
    this.#profiles = profiles;
    this.options.onChange(state);
  }
}
