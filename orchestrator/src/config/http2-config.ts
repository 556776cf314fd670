import type { EnvReader } from './env-reader.js';

/** Optional HTTP/2 listeners beside the HTTP/1.1 one (APP_PORT), serving the same API. */
export interface Http2Config {
  /** Cleartext HTTP/2 with prior knowledge (proxies, server-side clients; browsers speak HTTP/2 only over TLS). */
  h2cPort: number | undefined;
  /** HTTP/2 over TLS with ALPN, HTTP/1.1 allowed on the same port (WebSocket upgrades need it). */
  tls: { port: number; certFile: string; keyFile: string } | undefined;
}

export function loadHttp2Config(r: EnvReader): Http2Config {
  // Unset means no listener; 0 means any free port (tests).
  const h2cPort =
    r.raw('AGENTD_H2C_PORT') === undefined ? undefined : r.integer('AGENTD_H2C_PORT', 0, 0, 65_535);
  const tlsPort =
    r.raw('AGENTD_TLS_PORT') === undefined ? undefined : r.integer('AGENTD_TLS_PORT', 0, 0, 65_535);
  const certFile = r.optionalString('AGENTD_TLS_CERT_FILE');
  const keyFile = r.optionalString('AGENTD_TLS_KEY_FILE');
  if (tlsPort === undefined) {
    if (certFile !== undefined || keyFile !== undefined)
      r.issues.push('AGENTD_TLS_CERT_FILE/AGENTD_TLS_KEY_FILE: set AGENTD_TLS_PORT too (or neither)');
    return { h2cPort, tls: undefined };
  }
  if (certFile === undefined || keyFile === undefined) {
    r.issues.push('AGENTD_TLS_PORT: needs AGENTD_TLS_CERT_FILE and AGENTD_TLS_KEY_FILE (PEM files)');
    return { h2cPort, tls: undefined };
  }
  return { h2cPort, tls: { port: tlsPort, certFile, keyFile } };
}
