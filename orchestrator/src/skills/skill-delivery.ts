import type { SkillArchivePathPrefix, SkillRef, SkillsSyncData } from '@agentd/sandbox-runner/protocol';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import { AgentdError, NotFoundError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { validate } from '../common/validate.js';
import { SkillsSyncDataSchema } from '../protocol/job-schemas.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { SkillSync } from '../runs/skill-sync.js';
import type { Store } from '../store/repositories.js';
import type { StoredSkill } from '../store/skill-repository.js';
import type { SkillService } from './skill-service.js';

const ARCHIVE_PREFIX: SkillArchivePathPrefix = '/v1/skills/';

interface DeliverySession {
  sandboxId: string;
  tenantId: string;
  digests: ReadonlyMap<string, string>;
}

export interface SkillDeliveryOptions {
  store: Store;
  skills: SkillService;
  callHome: CallHomeServer;
  /** How long the runner may take to fetch and unpack a delivery. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Delivers a conversation's skills into its sandbox through the call-home channel, before each run: a
 * `skills_sync` job names the skills (with digests), the runner fetches only those it lacks. A sandbox whose
 * last delivery already matches gets no job at all. /skills is never read back.
 */
export class SkillDelivery implements SkillSync {
  /** What each live sandbox was last given; dropped with its channel. */
  readonly #delivered = new WeakMap<SandboxChannel, string>();
  readonly #sessions = new Map<string, DeliverySession>();
  readonly #log: Logger;

  constructor(private readonly options: SkillDeliveryOptions) {
    this.#log = options.logger.child({ component: 'skill-delivery' });
    options.callHome.route('GET', `${ARCHIVE_PREFIX}:syncId/:name`, async ({ channel, res, params }) => {
      const session = this.#sessions.get(params.syncId ?? '');
      // Only the sandbox the job went to, only the skills it named: another sandbox's sync id is refused.
      if (!session || session.sandboxId !== channel.sandboxId)
        throw new AgentdError('NOT_FOUND', 'no skills delivery with that id for this sandbox');
      const name = params.name ?? '';
      const digest = session.digests.get(name);
      if (digest === undefined) throw new NotFoundError('skill in this delivery', name);
      const archive = await options.skills.archive(session.tenantId, name, digest);
      res
        .writeHead(200, { 'content-type': 'application/x-tar', 'content-length': archive.length })
        .end(archive);
    });
  }

  async deliver(run: ActiveRun): Promise<void> {
    const skills = await this.#chosen(run);
    run.useSkills(skills.map((s) => ({ name: s.name, description: s.description })));
    const channel = run.lease.channel;
    const refs: SkillRef[] = skills.map((s) => ({ name: s.name, version: s.version, digest: s.digest }));
    const key = refs.map((r) => `${r.name}@${r.digest}`).join(',');
    const held = this.#delivered.get(channel);
    // A sandbox this process never gave skills holds none (its /skills starts empty): a tenant without skills
    // costs no round trip. One adopted after a restart may keep its conversation's old skills until it gets some.
    if (held === key || (held === undefined && key === '')) return;
    const syncId = randomId(16);
    this.#sessions.set(syncId, {
      sandboxId: channel.sandboxId,
      tenantId: run.tenant.id,
      digests: new Map(refs.map((r) => [r.name, r.digest])),
    });
    try {
      const result = await channel.send(
        { kind: 'skills_sync', syncId, skills: refs },
        this.options.timeoutMs,
      );
      if (!result.ok)
        throw new AgentdError(
          'WORKSPACE_SYNC_FAILED',
          `skills delivery failed: ${result.error.code}: ${result.error.message}`,
        );
      const data: SkillsSyncData = validate(SkillsSyncDataSchema, result.data, 'skills sync result');
      this.#delivered.set(channel, key);
      this.#log.debug({ runId: run.id, sandboxId: channel.sandboxId, ...data }, 'Delivered skills');
    } finally {
      this.#sessions.delete(syncId);
    }
  }

  async #chosen(run: ActiveRun): Promise<StoredSkill[]> {
    const { store } = this.options;
    const [all, choice] = await Promise.all([
      store.skills.list(run.tenant.id),
      store.skills.choice(run.conversation.id),
    ]);
    const enabled = all.filter((s) => s.enabled);
    if (choice === undefined) return enabled;
    const chosen = new Set(choice);
    return enabled.filter((s) => chosen.has(s.name));
  }
}
