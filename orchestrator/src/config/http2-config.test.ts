import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('HTTP/2 listeners configuration', () => {
  it('has none unless asked, and a retry: of 3 s', () => {
    const config = loadConfig({ HOME: '/home/x' });
    expect(config.http.http2).toEqual({ h2cPort: undefined, tls: undefined });
    expect(config.http.sseRetryMs).toBe(3_000);
  });

  it('reads the ports, the PEM files and the retry', () => {
    const config = loadConfig({
      AGENTD_H2C_PORT: '8081',
      AGENTD_TLS_PORT: '0',
      AGENTD_TLS_CERT_FILE: '/etc/agentd/cert.pem',
      AGENTD_TLS_KEY_FILE: '/etc/agentd/key.pem',
      AGENTD_SSE_RETRY: '500ms',
    });
    expect(config.http.http2).toEqual({
      h2cPort: 8081,
      tls: { port: 0, certFile: '/etc/agentd/cert.pem', keyFile: '/etc/agentd/key.pem' },
    });
    expect(config.http.sseRetryMs).toBe(500);
  });

  it('refuses a TLS port without its files, files without a port, and a bad port', () => {
    expect(() => loadConfig({ AGENTD_TLS_PORT: '8443', AGENTD_TLS_CERT_FILE: '/c.pem' })).toThrow(
      /AGENTD_TLS_PORT: needs AGENTD_TLS_CERT_FILE and AGENTD_TLS_KEY_FILE/,
    );
    expect(() => loadConfig({ AGENTD_TLS_KEY_FILE: '/k.pem' })).toThrow(/set AGENTD_TLS_PORT too/);
    expect(() => loadConfig({ AGENTD_H2C_PORT: '70000' })).toThrow(/AGENTD_H2C_PORT: must be an integer/);
  });
});
