import { describe, expect, it } from 'vitest';
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
