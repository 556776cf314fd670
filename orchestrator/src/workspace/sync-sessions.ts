import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  OutboundPlan,
  WorkspaceInboundPath,
  WorkspaceLimits,
  WorkspaceOutboundEarlyPath,
  WorkspaceOutboundFilesPath,
  WorkspaceOutboundPath,
  WorkspaceSyncParam,
} from '@agentd/sandbox-runner/protocol';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { readJson } from '../callhome/read-body.js';
import { AgentdError, errorMessage, isAgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { ObjectLocation, WorkspaceRef, WorkspaceStore } from '../storage/workspace-store.js';
import { EarlyReceiver } from './early-receiver.js';
import { inboundHeader, sendInbound } from './inbound-sender.js';
import { sameContent, type Manifest, type ManifestFile } from './manifest.js';
import { OutboundReceiver } from './outbound-receiver.js';
import { maxScanBytes, protocol, validateScan, type ValidScan } from './scan-validation.js';
import type { WorkspaceService } from './workspace-service.js';

const INBOUND: WorkspaceInboundPath = '/v1/workspace/inbound';
const OUTBOUND: WorkspaceOutboundPath = '/v1/workspace/outbound';
const OUTBOUND_FILES: WorkspaceOutboundFilesPath = '/v1/workspace/outbound/files';
const OUTBOUND_EARLY: WorkspaceOutboundEarlyPath = '/v1/workspace/outbound/early';
const SYNC_PARAM: WorkspaceSyncParam = 'sync';
const SCAN_TIMEOUT_MS = 120_000;

interface SessionBase {
  ws: WorkspaceRef;
  sandboxId: string;
  syncId: string;
  limits: WorkspaceLimits;
}

/** A sync-in starts from the current manifest. */
export interface InboundBase extends SessionBase {
  manifest: Manifest;
}

/**
 * A sync-out is opened while its base manifest is still being read (the runner scans meanwhile); the
 * runner's requests wait for it, and a failed read fails the sync.
 */
export interface OutboundBase extends SessionBase {
  manifest: Promise<Manifest>;
}

/** One sync in progress: the runner's requests for it are served here, failures are kept for the caller. */
abstract class SyncSession<B extends SessionBase = SessionBase> {
  readonly syncId: string;
  #failure: AgentdError | undefined;
  /** The runner's requests for this sync whose handlers are still running. */
  readonly #handling = new Set<{ req: IncomingMessage; done: Promise<void> }>();
  #rejectFailed!: (err: AgentdError) => void;
  /** Rejects with the first failure agentd detected; never resolves. */
  readonly failed: Promise<never>;

  constructor(readonly base: B) {
    this.syncId = base.syncId;
    this.failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));
    this.failed.catch(() => undefined);
  }

  get failure(): AgentdError | undefined {
    return this.#failure;
  }

  fail(err: unknown): AgentdError {
    const error = isAgentdError(err)
      ? err
      : new AgentdError('WORKSPACE_SYNC_FAILED', errorMessage(err), { cause: err });
    if (!this.#failure) {
      this.#failure = error;
      this.#rejectFailed(error);
    }
    return error;
  }

  /** Runs a request handler once per state, turning every failure into an error answer the runner can read. */
  protected serve(res: ServerResponse, req: IncomingMessage, fn: () => Promise<void>): Promise<void> {
    const handling = { req, done: this.#handle(res, req, fn) };
    this.#handling.add(handling);
    void handling.done.finally(() => this.#handling.delete(handling));
    return handling.done;
  }

  async #handle(res: ServerResponse, req: IncomingMessage, fn: () => Promise<void>): Promise<void> {
    try {
      if (this.#failure) throw this.#failure;
      await fn();
    } catch (err) {
      const error = this.fail(err);
      answerError(res, req, error);
    }
  }

  /**
   * Fails the sync, cuts off the runner's requests still being read for it and waits until their handlers,
   * uploads included, have stopped: once the caller discards what was uploaded, nothing more lands in the
   * store (a runner may report the sync done, or time out, while its upload is still arriving).
   */
  async abandon(reason: unknown): Promise<void> {
    this.fail(reason);
    const handling = [...this.#handling];
    for (const { req } of handling) req.destroy();
    await Promise.all(handling.map((h) => h.done));
  }
}

export class InboundSession extends SyncSession<InboundBase> {
  #state: 'waiting' | 'sending' | 'sent' = 'waiting';
  written = 0;
  bytes = 0;

  constructor(
    base: InboundBase,
    private readonly workspaces: WorkspaceService,
  ) {
    super(base);
  }

  get complete(): boolean {
    return this.#state === 'sent';
  }

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(res, req, async () => {
      if (this.#state !== 'waiting') throw protocol('the inbound workspace was already requested');
      this.#state = 'sending';
      const scan = validateScan(
        await readJson(req, maxScanBytes(this.base.limits), SCAN_TIMEOUT_MS),
        this.base.limits,
      );
      const header = inboundHeader(this.base.manifest, scan.files);
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      this.bytes = await sendInbound(this.workspaces, this.base.ws, this.base.manifest, header, res);
      this.written = header.write.length;
      this.#state = 'sent';
    });
  }
}

export class OutboundSession extends SyncSession<OutboundBase> {
  #state: 'waiting' | 'early' | 'early-received' | 'planning' | 'planned' | 'receiving' | 'received' =
    'waiting';
  #scan: ValidScan | undefined;
  #need: string[] = [];
  #early: EarlyReceiver | undefined;
  #earlyStored = false;
  #receiver: OutboundReceiver | undefined;
  /** The base manifest once read. */
  #manifest: Manifest | undefined;
  readonly #reading: Promise<Manifest>;
  staged = new Map<string, string>();
  bytes = 0;

  constructor(
    base: OutboundBase,
    private readonly store: WorkspaceStore,
  ) {
    super(base);
    this.#reading = base.manifest.then((manifest) => (this.#manifest = manifest));
    this.#reading.catch((err: unknown) => this.fail(err));
  }

  /** The base manifest; only after the read (every state past 'waiting' and 'early' has awaited it). */
  get #base(): Manifest {
    if (!this.#manifest) throw new AgentdError('INTERNAL_ERROR', 'the base manifest is not read yet');
    return this.#manifest;
  }

  /** Everything planned arrived, and every early file is stored. */
  get complete(): boolean {
    return this.#state === 'received' && (this.#early === undefined || this.#earlyStored);
  }

  get scan(): ValidScan | undefined {
    return this.#scan;
  }

  /** Paths whose content was received: early ones and the planned ones. */
  get received(): number {
    return (this.#early?.files.size ?? 0) + this.#need.length;
  }

  /** What was uploaded, for deletion when the sync does not commit. */
  get uploaded(): readonly ObjectLocation[] {
    return [...(this.#early?.uploaded ?? []), ...(this.#receiver?.uploaded ?? [])];
  }

  /**
   * True when the scan differs from the base manifest in content, executable bit or the set of paths. A
   * different mtime alone is no new version (it does not survive a round trip to the millisecond anyway).
   */
  get changed(): boolean {
    const files = this.#scan?.files;
    if (!files) return false;
    const base = this.#base.files;
    if (files.size !== base.size) return true;
    for (const [path, file] of files) {
      const old = base.get(path);
      if (!sameContent(old, file) || old?.executable !== file.executable) return true;
    }
    return false;
  }

  /** Files the runner sends while it still scans (see WorkspaceOutboundEarlyPath). */
  early(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(res, req, async () => {
      if (this.#state !== 'waiting') throw protocol('early workspace files arrived out of turn');
      this.#state = 'early';
      this.#early = new EarlyReceiver(this.store, {
        ws: this.base.ws,
        syncId: this.syncId,
        base: this.#reading,
        limits: this.base.limits,
      });
      const early = this.#early;
      await early.receive(req);
      for (const [path, syncId] of early.staged) this.staged.set(path, syncId);
      this.bytes += early.bytes;
      this.#earlyStored = true;
      this.#earlyDone();
      res.writeHead(204).end();
    });
  }

  /** The scan may have been planned already: the plan only needed the early files read, not stored. */
  #earlyDone(): void {
    if (this.#state === 'early') this.#state = 'early-received';
  }

  plan(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(res, req, async () => {
      if (this.#state !== 'waiting' && this.#state !== 'early' && this.#state !== 'early-received')
        throw protocol('the workspace scan arrived out of turn');
      // The runner sends its scan as soon as the early tar ends; the early files' uploads overlap the plan.
      const earlyRunning = this.#state === 'early';
      this.#state = 'planning';
      if (earlyRunning) await this.#early?.parsed;
      const base = await this.#reading;
      const scan = validateScan(
        await readJson(req, maxScanBytes(this.base.limits), SCAN_TIMEOUT_MS),
        this.base.limits,
      );
      this.#scan = scan;
      const early = this.#early?.files ?? new Map<string, never>();
      for (const [path, file] of early) {
        const listed = scan.files.get(path);
        if (!listed || listed.size !== file.size || listed.sha256 !== file.sha256)
          throw protocol(`the scan does not list ${path} as it was sent early`);
      }
      this.#need = [...scan.files]
        .filter(([p, f]) => !early.has(p) && !sameContent(base.files.get(p), f))
        .map(([p]) => p);
      this.#state = this.#need.length === 0 ? 'received' : 'planned';
      const plan: OutboundPlan = { need: this.#need };
      const body = JSON.stringify(plan);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    });
  }

  receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(res, req, async () => {
      if (this.#state !== 'planned' || !this.#scan) throw protocol('workspace files arrived out of turn');
      this.#state = 'receiving';
      this.#receiver = new OutboundReceiver(this.store, {
        ws: this.base.ws,
        syncId: this.syncId,
        base: this.#base,
        files: this.#scan.files,
        need: this.#need,
      });
      const received = await this.#receiver.receive(req);
      for (const [path, syncId] of received.staged) this.staged.set(path, syncId);
      this.bytes += received.bytes;
      this.#state = 'received';
      res.writeHead(204).end();
    });
  }

  files(): Map<string, ManifestFile> {
    if (!this.#scan) throw new AgentdError('INTERNAL_ERROR', 'no scan');
    return this.#scan.files;
  }
}

/** The sessions in progress, by sandbox and sync id; a sandbox can only reach its own. */
export class SyncSessions {
  readonly #sessions = new Map<string, InboundSession | OutboundSession>();

  constructor(
    callHome: CallHomeServer,
    private readonly workspaces: WorkspaceService,
    private readonly store: WorkspaceStore,
  ) {
    callHome.route('POST', INBOUND, ({ channel, req, res }) =>
      this.#find(channel.sandboxId, req, InboundSession).handle(req, res),
    );
    callHome.route('POST', OUTBOUND, ({ channel, req, res }) =>
      this.#find(channel.sandboxId, req, OutboundSession).plan(req, res),
    );
    callHome.route('POST', OUTBOUND_FILES, ({ channel, req, res }) =>
      this.#find(channel.sandboxId, req, OutboundSession).receive(req, res),
    );
    callHome.route('POST', OUTBOUND_EARLY, ({ channel, req, res }) =>
      this.#find(channel.sandboxId, req, OutboundSession).early(req, res),
    );
  }

  openInbound(base: Omit<InboundBase, 'syncId'>): InboundSession {
    return this.#add(new InboundSession({ ...base, syncId: randomId(16) }, this.workspaces));
  }

  openOutbound(base: Omit<OutboundBase, 'syncId'>): OutboundSession {
    return this.#add(new OutboundSession({ ...base, syncId: randomId(16) }, this.store));
  }

  close(session: SyncSession): void {
    this.#sessions.delete(key(session.base.sandboxId, session.syncId));
  }

  #add<S extends InboundSession | OutboundSession>(session: S): S {
    this.#sessions.set(key(session.base.sandboxId, session.syncId), session);
    return session;
  }

  #find<S extends InboundSession | OutboundSession>(
    sandboxId: string,
    req: IncomingMessage,
    kind: abstract new (...args: never[]) => S,
  ): S {
    const syncId = new URL(req.url ?? '/', 'http://sandbox').searchParams.get(SYNC_PARAM) ?? '';
    const session = this.#sessions.get(key(sandboxId, syncId));
    if (!(session instanceof kind)) throw protocol('no such workspace sync in progress for this sandbox');
    return session;
  }
}

function key(sandboxId: string, syncId: string): string {
  return `${sandboxId}/${syncId}`;
}

/** The runner reads `{ error: { code, message } }`; the connection closes so a refused upload stops at once. */
function answerError(res: ServerResponse, req: IncomingMessage, err: AgentdError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err.code === 'WORKSPACE_LIMIT' ? 413 : err.code === 'RUNNER_PROTOCOL_ERROR' ? 400 : 503;
  const body = JSON.stringify({ error: { code: err.code, message: err.message } });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body, () => req.destroy());
}
