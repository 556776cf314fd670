import { AgentdError } from '../common/errors.js';
import type { ObjectLocation, WorkspaceRef } from './workspace-store.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SYNC_ID = /^[a-z0-9]{8,32}$/;

/** Key layout shared by every backend; ids and paths are re-checked so no caller can build a key elsewhere. */
export class StoreKeys {
  /** '' or a prefix ending in '/'. */
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`;
  }

  conversation(ws: WorkspaceRef): string {
    return `${this.#prefix}tenants/${checkId(ws.tenantId)}/conversations/${checkId(ws.conversationId)}/`;
  }

  stagingRoot(ws: WorkspaceRef): string {
    return `${this.#prefix}staging/tenants/${checkId(ws.tenantId)}/conversations/${checkId(ws.conversationId)}/`;
  }

  manifest(ws: WorkspaceRef): string {
    return `${this.conversation(ws)}manifest.json`;
  }

  skillsRoot(ws: WorkspaceRef): string {
    return `${this.#prefix}skills/tenants/${checkId(ws.tenantId)}/`;
  }

  object(ws: WorkspaceRef, at: ObjectLocation): string {
    checkPath(at.path);
    if (at.area === 'skills') return `${this.skillsRoot(ws)}${at.path}`;
    if (at.area === 'files') return `${this.conversation(ws)}files/${at.path}`;
    if (!SYNC_ID.test(at.syncId)) throw new AgentdError('INTERNAL_ERROR', `bad sync id ${at.syncId}`);
    return `${this.stagingRoot(ws)}${at.syncId}/${at.path}`;
  }
}

function checkId(id: string): string {
  if (!ID.test(id))
    throw new AgentdError('INTERNAL_ERROR', `bad id in a workspace key: ${JSON.stringify(id)}`);
  return id;
}

/** The last line of defence: validated paths never fail this. */
function checkPath(p: string): void {
  const bad =
    p === '' ||
    p.startsWith('/') ||
    p.includes('\0') ||
    p.includes('\\') ||
    p.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new AgentdError('INTERNAL_ERROR', `unsafe path in a workspace key: ${JSON.stringify(p)}`);
}
