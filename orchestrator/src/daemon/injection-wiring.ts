import { readFile } from 'node:fs/promises';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { TlsInterceptor } from '../egress/egress-gateway.js';
import { injectionInterceptor } from '../egress/injection-interceptor.js';
import { InjectingInterceptor, type SecretExpander } from '../interception/injecting-interceptor.js';
import { SandboxAuthorities } from '../interception/sandbox-authorities.js';
import { systemRoots } from '../interception/system-roots.js';
import type { ActiveRun } from '../runs/active-run.js';

const HOUR = 3_600_000;
/** A sandbox CA outlives any run (renewed at prepare when a quarter is left); leaves are short-lived. */
const CA_LIFETIME_MS = 7 * 24 * HOUR;
const LEAF_LIFETIME_MS = HOUR;
/** Node's own default; an agent has no business sending larger request or response heads. */
const MAX_HEADER_BYTES = 16 * 1024;

export interface Injection {
  interceptor: TlsInterceptor;
  prepareEgress: (run: ActiveRun) => Promise<string | undefined>;
}

/** Credential injection: the node's sandbox CAs and the interceptor the egress gateway hands hosts to. */
export async function createInjection(deps: {
  config: AgentdConfig;
  callHome: CallHomeServer;
  secrets: SecretExpander;
  logger: Logger;
}): Promise<Injection> {
  const { config, logger } = deps;
  const authorities = new SandboxAuthorities({
    socketDirOf: (id) => deps.callHome.socketDirOf(id),
    roots: systemRoots,
    caLifetimeMs: CA_LIFETIME_MS,
    leafLifetimeMs: LEAF_LIFETIME_MS,
    logger,
  });
  const interceptor = new InjectingInterceptor({
    authorityFor: (id) => authorities.authorityFor(id),
    secrets: deps.secrets,
    extraOriginCa: await extraRoots(config.interception.extraCaFile),
    maxHeaderBytes: MAX_HEADER_BYTES,
    idleTimeoutMs: config.egress.idleTimeoutMs,
    logger,
  });
  return {
    interceptor: injectionInterceptor(interceptor),
    prepareEgress: (run) => authorities.prepare(run.lease.record.id, run.egress.policy.inject),
  };
}

async function extraRoots(file: string | undefined): Promise<string[]> {
  if (file === undefined) return [];
  try {
    const pems = (await readFile(file, 'utf8')).match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    );
    if (!pems) throw new Error('no PEM certificate in it');
    return pems;
  } catch (err) {
    throw new AgentdError('VALIDATION_FAILED', `AGENTD_EGRESS_EXTRA_CA_FILE: ${errorMessage(err)}`);
  }
}
