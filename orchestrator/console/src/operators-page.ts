import { describeError, type Page as ListPage } from './api.js';
import { badge, el, fill, section, table } from './dom.js';
import { bytes, duration, time } from './format.js';
import { every, type PageContext } from './page.js';
import { policyEditor } from './policy-editor.js';

interface SandboxView {
  id: string;
  node: string;
  state: string;
  frozen: boolean;
  tenantId: string | null;
  conversationId: string | null;
  profile: string;
  ageSeconds: number;
  idleSeconds: number;
}

interface SandboxUsage {
  cpuSeconds: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
  pids: number;
  pidsLimit: number | null;
}

interface PoolStatus {
  profile: string;
  limitsKey: string;
  target: number;
  ready: number;
  starting: number;
}

interface Reap {
  sandboxId: string;
  node: string;
  reason: string;
  tenantId: string | null;
  profile: string;
  at: string;
  ageMs: number;
  idleMs: number;
  oomKilled: boolean | null;
  exitCode: number | null;
  hookError?: string;
}

/** Live usage is read for at most this many sandboxes per refresh (one request each, by their own node). */
const USAGE_ROWS = 100;

/** Operators: sandboxes per node with live usage, the warm pool, recent reaps and the lifecycle policy. */
export async function operatorsPage({ api, root, signal }: PageContext): Promise<void> {
  const live = el('div', { 'data-testid': 'operators-live' }, 'Loading…');
  const policy = el('div');
  fill(root, el('h1', {}, 'Operators'), live, policy);
  await policyEditor(api, policy);
  await every(5_000, signal, async () => {
    try {
      const [sandboxes, pool, reaps] = await Promise.all([
        api.get<ListPage<SandboxView>>('/api/admin/sandboxes'),
        api.get<{ node: string; pools: PoolStatus[] }>('/api/admin/pool'),
        api.get<{ items: Reap[] }>('/api/admin/reaps?limit=50'),
      ]);
      const usage = await readUsage(api, sandboxes.items.slice(0, USAGE_ROWS));
      if (signal.aborted) return;
      fill(
        live,
        sandboxSections(sandboxes.items, usage),
        section(
          `Warm pool (node ${pool.node})`,
          table(
            [
              { title: 'profile', cell: (p) => p.profile },
              { title: 'limits', cell: (p) => p.limitsKey },
              { title: 'target', cell: (p) => p.target, className: 'num' },
              { title: 'ready', cell: (p) => p.ready, className: 'num' },
              { title: 'starting', cell: (p) => p.starting, className: 'num' },
            ],
            pool.pools,
            { testId: 'pool', empty: 'No warm pool configured.' },
          ),
        ),
        section(
          'Recent reaps',
          table(
            [
              { title: 'when', cell: (r) => time(r.at) },
              { title: 'sandbox', cell: (r) => r.sandboxId },
              { title: 'node', cell: (r) => r.node },
              { title: 'reason', cell: (r) => badge(r.reason, 'reason') },
              { title: 'tenant', cell: (r) => r.tenantId ?? '—' },
              { title: 'age', cell: (r) => duration(r.ageMs / 1000), className: 'num' },
              { title: 'idle', cell: (r) => duration(r.idleMs / 1000), className: 'num' },
              { title: 'OOM', cell: (r) => (r.oomKilled === null ? '?' : r.oomKilled ? 'yes' : 'no') },
              { title: 'exit', cell: (r) => r.exitCode ?? '—' },
              { title: 'hook error', cell: (r) => r.hookError ?? '' },
            ],
            reaps.items,
            { testId: 'reaps', empty: 'Nothing reaped yet.' },
          ),
        ),
      );
    } catch (err) {
      fill(live, el('p', { class: 'error' }, describeError(err)));
    }
  });
}

async function readUsage(api: PageContext['api'], sandboxes: SandboxView[]) {
  const usage = new Map<string, SandboxUsage | null>();
  await Promise.all(
    sandboxes.map(async (s) => {
      const detail = await api
        .get<{ usage: SandboxUsage | null }>(`/api/admin/sandboxes/${encodeURIComponent(s.id)}`)
        .catch(() => ({ usage: null }));
      usage.set(s.id, detail.usage);
    }),
  );
  return usage;
}

function sandboxSections(sandboxes: SandboxView[], usage: Map<string, SandboxUsage | null>): HTMLElement {
  const byNode = new Map<string, SandboxView[]>();
  for (const s of sandboxes) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
  const columns = [
    { title: 'sandbox', cell: (s: SandboxView) => s.id },
    {
      title: 'state',
      cell: (s: SandboxView) => (s.frozen ? badge(`${s.state} · frozen`, 'frozen') : badge(s.state, s.state)),
    },
    { title: 'tenant', cell: (s: SandboxView) => s.tenantId ?? '—' },
    { title: 'conversation', cell: (s: SandboxView) => s.conversationId ?? '—' },
    { title: 'profile', cell: (s: SandboxView) => s.profile },
    { title: 'age', cell: (s: SandboxView) => duration(s.ageSeconds), className: 'num' },
    { title: 'idle', cell: (s: SandboxView) => duration(s.idleSeconds), className: 'num' },
    {
      title: 'CPU',
      cell: (s: SandboxView) => {
        const u = usage.get(s.id);
        return u ? `${u.cpuSeconds.toFixed(2)} s` : '—';
      },
      className: 'num',
    },
    {
      title: 'memory',
      cell: (s: SandboxView) => {
        const u = usage.get(s.id);
        return u ? `${bytes(u.memoryBytes)} / ${bytes(u.memoryLimitBytes)}` : '—';
      },
      className: 'num',
    },
    {
      title: 'pids',
      cell: (s: SandboxView) => {
        const u = usage.get(s.id);
        return u ? `${u.pids} / ${u.pidsLimit ?? '∞'}` : '—';
      },
      className: 'num',
    },
  ];
  if (byNode.size === 0)
    return section('Sandboxes', el('p', { class: 'empty', 'data-testid': 'sandboxes' }, 'No sandboxes.'));
  return section(
    `Sandboxes (${sandboxes.length})`,
    ...[...byNode.entries()].map(([node, rows]) =>
      el(
        'div',
        { class: 'node' },
        el('h3', {}, `Node ${node}`),
        table(columns, rows, { testId: `sandboxes-${node}` }),
      ),
    ),
  );
}
