import tls from 'node:tls';

/** The host's trusted roots (its OpenSSL store), or Node's bundled Mozilla set where the host has none. */
export function systemRoots(): string[] {
  const system = tls.getCACertificates('system');
  return system.length > 0 ? system : tls.getCACertificates('bundled');
}
