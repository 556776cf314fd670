import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALERTS = path.join(ROOT, 'deployment/prometheus/alerts.yml');
const DASHBOARD = path.join(ROOT, 'deployment/grafana/agentd.json');

/** Grafana's variables, replaced by values PromQL accepts (anything else left in an expression fails the test). */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '5m', $instance: '.*' };
/** Series Prometheus itself makes, not agentd. */
const PROMETHEUS_SERIES = new Set(['up']);

interface Panel {
  title?: string;
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}

async function promtool(args: string[], cwd = ROOT): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('promtool is missing: run scripts/prerequisites.sh (Debian prometheus)', {
        cause: err,
      });
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function dashboardExpressions(): Promise<{ name: string; expr: string }[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const all: { name: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        let expr = t.expr;
        for (const [variable, value] of Object.entries(GRAFANA_VARIABLES))
          expr = expr.split(variable).join(value);
        all.push({ name: `${p.title ?? '?'} (${t.refId})`, expr });
      }
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return all;
}

async function alertExpressions(): Promise<string[]> {
  const rules = parse(await readFile(ALERTS, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

/** Names of the series an expression reads (label values and strings left out). */
function seriesNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...withoutStrings.matchAll(/\b(agentd_[a-z0-9_]+|up)\b/g)].map((m) => m[1] ?? '');
}

describe('Prometheus alerts and the Grafana dashboard', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agentd-promql-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('promtool checks the alert rules', async () => {
    const result = await promtool(['check', 'rules', ALERTS]);
    expect(result.out).toContain('SUCCESS: 8 rules found');
    expect(result.code).toBe(0);
  });

  it('promtool runs the alerts’ unit tests', async () => {
    const result = await promtool(['test', 'rules', 'alerts.test.yml'], path.dirname(ALERTS));
    expect(result.out).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('promtool parses every dashboard expression (as recording rules)', async () => {
    const expressions = await dashboardExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(25);
    for (const { name, expr } of expressions) expect(expr, name).not.toContain('$');
    const rules = (list: { expr: string }[]) =>
      `groups:\n  - name: dashboard\n    rules:\n${list
        .map((e, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(e.expr)}\n`)
        .join('')}`;
    const file = path.join(dir, 'dashboard-rules.yml');
    await writeFile(file, rules(expressions));
    const result = await promtool(['check', 'rules', file]);
    expect(result.out).toContain(`SUCCESS: ${expressions.length} rules found`);
    // The same check fails on a broken expression, so the one above means something.
    await writeFile(file, rules([...expressions, { expr: 'sum by (le (rate(agentd_x[5m]))' }]));
    expect((await promtool(['check', 'rules', file])).code).not.toBe(0);
  });

  it('the README’s Prometheus configuration loads the rules (promtool check config)', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n# prometheus\.yml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const rules = path.join(dir, 'agentd-alerts.yml');
    const key = path.join(dir, 'agentd.key');
    await writeFile(rules, await readFile(ALERTS, 'utf8'));
    await writeFile(key, 'agd_example\n');
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(
      config,
      (block ?? '')
        .replace('/etc/prometheus/agentd-alerts.yml', rules)
        .replace('/etc/prometheus/agentd.key', key),
    );
    const result = await promtool(['check', 'config', config]);
    expect(result.out).toContain('SUCCESS: 8 rules found');
    expect(result.code).toBe(0);
  });

  describe('against a live agentd', () => {
    let d: TestDaemon;
    let types = new Map<string, string>();
    let body = '';

    beforeAll(async () => {
      d = await startTestDaemon();
      // A chat turn (no sandbox) and a 404 so the run, model and error series have samples too.
      const tenant = (await d.api('POST', '/api/tenants', { name: 'observability' })).body as { id: string };
      const chat = (await d.api('POST', `/api/tenants/${tenant.id}/conversations`, { kind: 'chat' }))
        .body as {
        id: string;
      };
      const query = await d.api('POST', `/api/tenants/${tenant.id}/conversations/${chat.id}/query`, {
        message: '@say hello',
      });
      expect(query.status).toBe(200);
      expect((await d.api('GET', '/api/no-such-route')).status).toBe(404);
      body = String((await d.api('GET', '/metrics')).body);
      types = new Map([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
    });
    afterAll(async () => {
      await d.destroy();
    });

    it('exports every metric the dashboard and the alerts read', async () => {
      const used = new Set([
        ...(await dashboardExpressions()).flatMap((e) => seriesNames(e.expr)),
        ...(await alertExpressions()).flatMap(seriesNames),
      ]);
      expect(used.size).toBeGreaterThanOrEqual(25);
      // A histogram is exported as one TYPE line; its _bucket, _sum and _count series come with it.
      const exported = (name: string) =>
        types.has(name) || types.get(name.replace(/_(bucket|sum|count)$/, '')) === 'histogram';
      const missing = [...used].filter((name) => !PROMETHEUS_SERIES.has(name) && !exported(name));
      expect(missing).toEqual([]);
    });

    it('fills the series the alerts added: dependencies, heartbeats, errors by code, first event, cost', () => {
      expect(body).toMatch(/^agentd_dependency_up\{dependency="[a-z0-9]+",mode="service"\} 1$/m);
      expect(body).toContain(`agentd_fleet_node_up{node="${d.config.nodeId}"} 1`);
      expect(body).toContain('agentd_errors_total{code="NOT_FOUND",source="api"} 1');
      expect(body).toMatch(/^agentd_run_first_event_seconds_count 1$/m);
      expect(body).toMatch(/^agentd_model_cost_usd_total\{model="[^"]+"\} \d/m);
    });
  });
});
