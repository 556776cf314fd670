import { readdir, rm } from 'node:fs/promises';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { sleep } from '../common/timers.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { ContainerClient, ManagedContainer } from '../docker/container-client.js';
import { LABELS } from '../docker/labels.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SandboxRecord } from './sandbox-record.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';
import type { IdleProcesses } from './idle-processes.js';

export interface ReconcilerOptions {
  nodeId: string;
  containers: ContainerClient;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  remover: SandboxRemover;
  pool: WarmPool;
  idle: IdleProcesses;
  logger: Logger;
  metrics: Metrics;
  /** How long an adopted sandbox's runner gets to call home again before it counts as lost. */
  adoptTimeoutMs: number;
}

export interface ReconcileReport {
  adopted: string[];
  removedOrphans: string[];
  lost: string[];
  staleSocketDirs: string[];
}

/**
 * Makes the engine, the registry and the socket directories agree, at start-up and periodically. Only
 * containers labelled agentd.managed=true for this node are looked at; unlabelled containers are never touched.
 */
export class Reconciler {
  readonly #log: Logger;

  constructor(private readonly options: ReconcilerOptions) {
    this.#log = options.logger.child({ component: 'reconciler' });
  }

  /**
   * `startup`: no creation or removal can be in flight in this process yet, so `starting` and `removing`
   * records are leftovers of a previous process and are cleaned up rather than skipped.
   */
  async reconcile(mode: { startup?: boolean } = {}): Promise<ReconcileReport> {
    const { registry, nodeId, callHome } = this.options;
    const transient = (r: SandboxRecord): boolean => r.state === 'starting' || r.state === 'removing';
    const inFlight = (r: SandboxRecord): boolean => mode.startup !== true && transient(r);
    const report: ReconcileReport = { adopted: [], removedOrphans: [], lost: [], staleSocketDirs: [] };
    const containers = await this.options.containers.listManaged({ [LABELS.node]: nodeId });
    const records = new Map((await registry.list({ nodeId })).map((r) => [r.id, r]));
    const seen = new Set<string>();
    const adopting: Promise<void>[] = [];

    for (const container of containers) {
      const sandboxId = container.labels[LABELS.sandboxId] ?? '';
      const record = records.get(sandboxId);
      if (!record || (record.containerId !== '' && record.containerId !== container.id)) {
        if (record && inFlight(record)) continue;
        await this.#removeOrphan(container, report);
        continue;
      }
      seen.add(record.id);
      if (inFlight(record)) continue;
      // `paused` is an idle sandbox frozen after its run (idleProcesses: freeze), not a dead one.
      const frozen = container.state === 'paused';
      if (transient(record) || (container.state !== 'running' && !frozen)) {
        await this.#lose(record, report);
        continue;
      }
      if (!callHome.channel(record.id)) adopting.push(this.#adopt(record, frozen, report));
    }
    await Promise.all(adopting);

    for (const record of records.values()) {
      if (seen.has(record.id) || inFlight(record)) continue;
      await this.#lose(record, report);
    }
    await this.#removeStaleSocketDirs(records, report);
    if (
      report.adopted.length +
        report.removedOrphans.length +
        report.lost.length +
        report.staleSocketDirs.length >
      0
    ) {
      this.#log.info(report, 'Reconciled');
    }
    return report;
  }

  /**
   * Re-listens on the sandbox's socket; its runner keeps calling home and reconnects within its back-off. A
   * frozen one is thawed for that, then frozen again once its runner is back.
   */
  async #adopt(record: SandboxRecord, frozen: boolean, report: ReconcileReport): Promise<void> {
    const channel = await this.options.callHome.open(record.id);
    if (frozen) await this.options.idle.thaw(record.containerId);
    const connected = await Promise.race([
      channel.connected.then(() => true),
      sleep(this.options.adoptTimeoutMs).then(() => false),
    ]);
    if (!connected) {
      await this.#lose(record, report);
      return;
    }
    // A run that was busy when agentd died is gone with the process; the sandbox itself is fine.
    if (record.state === 'busy')
      await this.options.registry.transition(record.id, ['busy'], { state: 'idle' });
    if (record.state === 'warm') this.options.pool.adopt(record);
    if (frozen && record.state !== 'warm') await this.#refreeze(record);
    report.adopted.push(record.id);
  }

  async #refreeze(record: SandboxRecord): Promise<void> {
    const { idle, registry } = this.options;
    await idle.settle(record.containerId, 'freeze');
    if (!(await registry.transition(record.id, ['idle'], { frozen: true })))
      await idle.thaw(record.containerId); // claimed meanwhile
  }

  async #lose(record: SandboxRecord, report: ReconcileReport): Promise<void> {
    this.options.pool.forget(record.id);
    try {
      await this.options.remover.remove(record, 'lost');
      report.lost.push(record.id);
    } catch (err) {
      this.#log.warn({ sandboxId: record.id, reason: errorMessage(err) }, 'Could not remove a lost sandbox');
    }
  }

  /** An orphan still gets a reap record, rebuilt from its labels, so every removal says why. */
  async #removeOrphan(container: ManagedContainer, report: ReconcileReport): Promise<void> {
    const labels = container.labels;
    const sandboxId = labels[LABELS.sandboxId] ?? '';
    const created = Date.parse(labels[LABELS.created] ?? '') || container.createdAt;
    const record: SandboxRecord = {
      id: /^[a-z0-9]{4,32}$/.test(sandboxId) ? sandboxId : `orphan${container.id.slice(0, 12)}`,
      containerId: container.id,
      nodeId: this.options.nodeId,
      profile: labels[LABELS.profile] ?? 'unknown',
      profileVersion: Number(labels[LABELS.profileVersion] ?? 0),
      limitsKey: labels[LABELS.limits] ?? '',
      state: 'idle',
      tenantId: labels[LABELS.tenant] ?? null,
      conversationId: labels[LABELS.conversation] ?? null,
      createdAt: created,
      lastUsedAt: created,
      workspaceVersion: null,
    };
    try {
      await this.options.remover.remove(record, 'orphan');
      report.removedOrphans.push(container.id.slice(0, 12));
    } catch (err) {
      this.#log.warn(
        { containerId: container.id.slice(0, 12), reason: errorMessage(err) },
        'Could not remove an orphan',
      );
    }
  }

  /**
   * Socket directories of sandboxes that no longer exist (agentd died before cleaning up). `listed` is the
   * registry as this pass first read it; the registry is read again only when some directory looks stale,
   * since a sandbox created meanwhile has its directory before its channel listens.
   */
  async #removeStaleSocketDirs(
    listed: ReadonlyMap<string, SandboxRecord>,
    report: ReconcileReport,
  ): Promise<void> {
    const { callHome, registry, nodeId } = this.options;
    const dir = callHome.sandboxesDir;
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    const unknown = entries.filter((entry) => !listed.has(entry) && !callHome.channel(entry));
    if (unknown.length === 0) return;
    const known = new Set((await registry.list({ nodeId })).map((r) => r.id));
    for (const entry of unknown) {
      if (known.has(entry) || callHome.channel(entry)) continue;
      await rm(`${dir}/${entry}`, { recursive: true, force: true });
      report.staleSocketDirs.push(entry);
    }
  }
}
