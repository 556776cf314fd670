import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from './load-config.js';
import { parseDurationMs } from './env-reader.js';

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const config = loadConfig({ HOME: '/home/x' });
    expect(config.appEnv).toBe('development');
    expect(config.sandbox.defaultProfile).toBe('standard');
    expect(config.sandbox.isolation).toEqual({ apparmor: 'preferred', userns: 'required' });
    expect(config.docker.host).toBe('unix:///var/run/docker.sock');
    expect(config.sandbox.profilesDir).toMatch(/deployment\/profiles$/);
  });

  it('reads durations, sizes and policies', () => {
    const config = loadConfig({
      AGENTD_IDLE_TTL: '90s',
      AGENTD_MAX_LIFETIME: '2h',
      AGENTD_POOL_SIZE: '4',
      AGENTD_APPARMOR: 'required',
    });
    expect(config.sandbox.lifecycle.idleTtlMs).toBe(90_000);
    expect(config.sandbox.lifecycle.maxLifetimeMs).toBe(7_200_000);
    expect(config.sandbox.lifecycle.poolSize).toEqual({ standard: 4 });
    expect(config.sandbox.isolation.apparmor).toBe('required');
  });

  it('lists every bad variable in one error', () => {
    expect(() =>
      loadConfig({
        APP_ENV: 'staging',
        AGENTD_POOL_SIZE: '-1',
        AGENTD_IDLE_TTL: 'soon',
        AGENTD_NODE_ID: 'bad id!',
      }),
    ).toThrow(/APP_ENV[\s\S]*AGENTD_POOL_SIZE[\s\S]*AGENTD_IDLE_TTL[\s\S]*AGENTD_NODE_ID/);
  });
});

describe('production checks', () => {
  const strong = {
    APP_ENV: 'production',
    API_KEYS: 'k'.repeat(32),
    DATABASE_URL: 'postgresql://agentd:Xq7-long-random-db-secret@db:5432/agentd',
    AGENTD_SECRETS_KEY: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    HOME: '/tmp',
  };

  it("refuses docker-compose.yml's own placeholders as they ship", () => {
    const compose = parseYaml(
      readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'),
    ) as { services: { agentd: { environment: Record<string, string> } } };
    const config = loadConfig({ ...compose.services.agentd.environment, HOME: '/tmp' });
    expect(config.appEnv).toBe('production');
    expect(config.productionIssues).toEqual([
      expect.stringMatching(/^API_KEYS: 1 key\(s\) still the "change-me" placeholder/),
      expect.stringMatching(/^DATABASE_URL: .*placeholder/),
      expect.stringMatching(/^REDIS_PASSWORD: /),
      expect.stringMatching(/^AGENTD_SECRETS_KEY: production needs an explicit secrets key/),
    ]);
  });

  it('reports a malformed AGENTD_SECRETS_KEY without echoing it', () => {
    const short = Buffer.alloc(8, 5).toString('base64');
    expect(() => loadConfig({ AGENTD_SECRETS_KEY: `k1:${short}`, HOME: '/tmp' })).toThrow(
      /AGENTD_SECRETS_KEY: key k1: must be 32 bytes/,
    );
    expect(() => loadConfig({ AGENTD_SECRETS_KEY: `k1:${short}`, HOME: '/tmp' })).not.toThrow(short);
  });

  it.each([
    ['the seed default', { REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'aiagent_password' }],
    ['a password in the URL', { REDIS_URL: 'redis://:changeme@r:6379' }],
  ])('refuses a weak Redis password: %s', (_, env) => {
    expect(loadConfig({ ...strong, ...env }).productionIssues).toEqual([
      expect.stringMatching(/^REDIS_PASSWORD: /),
    ]);
  });

  it('refuses the seed default database password', () => {
    const url = 'postgresql://agentd:aiagent_password@db:5432/agentd';
    expect(loadConfig({ ...strong, DATABASE_URL: url }).productionIssues).toEqual([
      expect.stringMatching(/^DATABASE_URL: /),
    ]);
  });

  it('warns, but starts, when Redis has no password', () => {
    const config = loadConfig({ ...strong, REDIS_URL: 'redis://r:6379' });
    expect(config.productionIssues).toEqual([]);
    expect(config.productionWarnings).toEqual([expect.stringMatching(/^REDIS_URL: .*without a password/)]);
    const withPassword = loadConfig({
      ...strong,
      REDIS_URL: 'redis://r:6379',
      REDIS_PASSWORD: 'Zr8-long-secret',
    });
    expect(withPassword.productionIssues).toEqual([]);
    expect(withPassword.productionWarnings).toEqual([]);
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['30', 30_000],
    ['1.5s', 1_500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s → %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it('rejects what is not a duration', () => {
    expect(parseDurationMs('10 minutes')).toBeUndefined();
    expect(parseDurationMs('-5s')).toBeUndefined();
  });
});
