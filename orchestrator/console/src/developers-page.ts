import { describeError, newestFirst, type Api, type Page as ListPage } from './api.js';
import { barChart } from './charts.js';
import { badge, el, fill, section, table } from './dom.js';
import { count, time, usd } from './format.js';
import { every, type PageContext } from './page.js';
import { runStream } from './run-stream.js';

interface Tenant {
  id: string;
  name: string;
  defaultModelId: string | null;
  createdAt: string;
}

interface Conversation {
  id: string;
  title: string | null;
  kind: string;
  status: string;
  modelId: string;
  lastRunAt: string | null;
  createdAt: string;
}

interface Run {
  id: string;
  status: string;
  modelId: string;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  errorCode: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface UsageGroup {
  key: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
}

interface Usage {
  from: string;
  to: string;
  groups: UsageGroup[];
  total: Omit<UsageGroup, 'key'>;
}

const DAY_MS = 86_400_000;
const USAGE_DAYS = 30;

const link = (hash: string, label: string) => el('a', { href: `#/developers/${hash}` }, label);

/** Platform developers: tenants, their conversations and usage, a conversation's runs, a run's events. */
export async function developersPage(context: PageContext): Promise<void> {
  const [tenantId, conversationId, runId] = context.params;
  const crumbs = el('nav', { class: 'crumbs' }, el('a', { href: '#/developers' }, 'Tenants'));
  const body = el('div', {}, 'Loading…');
  fill(context.root, el('h1', {}, 'Platform developers'), crumbs, body);
  try {
    if (tenantId === undefined) return fill(body, await tenants(context.api));
    const t = encodeURIComponent(tenantId);
    crumbs.append(' / ', link(t, tenantId));
    if (conversationId === undefined) return await tenantView(context, tenantId, body);
    const c = encodeURIComponent(conversationId);
    crumbs.append(' / ', link(`${t}/${c}`, conversationId));
    if (runId === undefined) return await conversationView(context, tenantId, conversationId, body);
    crumbs.append(' / ', runId);
    const base = `/api/tenants/${t}/conversations/${c}/runs/${encodeURIComponent(runId)}`;
    const run = await context.api.get<Run>(base);
    fill(body, section(`Run ${run.id}`, runSummary(run), runStream(context.api, base, context.signal)));
  } catch (err) {
    fill(body, el('p', { class: 'error' }, describeError(err)));
  }
}

async function tenants(api: Api): Promise<HTMLElement> {
  const page = await api.get<ListPage<Tenant>>('/api/tenants?limit=200');
  return section(
    'Tenants',
    table(
      [
        { title: 'name', cell: (t) => link(encodeURIComponent(t.id), t.name) },
        { title: 'id', cell: (t) => t.id },
        { title: 'default model', cell: (t) => t.defaultModelId ?? '—' },
        { title: 'created', cell: (t) => time(t.createdAt) },
      ],
      page.items,
      { testId: 'tenants', empty: 'No tenants yet.' },
    ),
  );
}

async function tenantView(context: PageContext, tenantId: string, body: HTMLElement): Promise<void> {
  const { api } = context;
  const t = encodeURIComponent(tenantId);
  const to = new Date();
  const from = new Date(
    Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()) - (USAGE_DAYS - 1) * DAY_MS,
  );
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const [tenant, conversations, byDay, byModel, models] = await Promise.all([
    api.get<Tenant>(`/api/tenants/${t}`),
    api.get<ListPage<Conversation>>(`/api/tenants/${t}/conversations?limit=200`),
    api.get<Usage>(`/api/tenants/${t}/usage?groupBy=day&${range}`),
    api.get<Usage>(`/api/tenants/${t}/usage?groupBy=model&${range}`),
    api.get<ListPage<{ id: string; name: string }>>('/api/models?limit=200'),
  ]);
  const modelName = new Map(models.items.map((m) => [m.id, m.name]));
  const days = Array.from({ length: USAGE_DAYS }, (_, i) =>
    new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10),
  );
  const day = new Map(byDay.groups.map((g) => [g.key, g]));
  const perDay = (pick: (g: UsageGroup) => number) =>
    days.map((d) => {
      const g = day.get(d);
      return g ? pick(g) : 0;
    });
  const modelKeys = byModel.groups.map((g) => modelName.get(g.key) ?? g.key);
  fill(
    body,
    section(
      `Tenant ${tenant.name}`,
      el(
        'p',
        { class: 'meta', 'data-testid': 'usage-total' },
        `Last ${USAGE_DAYS} days: ${count(byDay.total.runs)} runs, ${count(byDay.total.inputTokens)} input and ${count(byDay.total.outputTokens)} output tokens, ${usd(byDay.total.costUsd)}.`,
      ),
      el(
        'div',
        { class: 'charts' },
        barChart({
          title: 'Cost per day (USD)',
          categories: days,
          series: [{ name: 'cost', values: perDay((g) => Number(g.costUsd)) }],
          format: usd,
          testId: 'chart-cost-day',
        }),
        barChart({
          title: 'Tokens per day',
          categories: days,
          series: [
            { name: 'input', values: perDay((g) => g.inputTokens) },
            { name: 'output', values: perDay((g) => g.outputTokens) },
          ],
          format: (n) => count(Math.round(n)),
          testId: 'chart-tokens-day',
        }),
        barChart({
          title: 'Cost per model (USD)',
          categories: modelKeys,
          series: [{ name: 'cost', values: byModel.groups.map((g) => Number(g.costUsd)) }],
          format: usd,
          testId: 'chart-cost-model',
        }),
        barChart({
          title: 'Tokens per model',
          categories: modelKeys,
          series: [
            { name: 'input', values: byModel.groups.map((g) => g.inputTokens) },
            { name: 'output', values: byModel.groups.map((g) => g.outputTokens) },
          ],
          format: (n) => count(Math.round(n)),
          testId: 'chart-tokens-model',
        }),
      ),
    ),
    section(
      'Conversations',
      table(
        [
          { title: 'id', cell: (c) => link(`${t}/${encodeURIComponent(c.id)}`, c.id) },
          { title: 'title', cell: (c) => c.title ?? '—' },
          { title: 'kind', cell: (c) => c.kind },
          { title: 'status', cell: (c) => c.status },
          { title: 'model', cell: (c) => modelName.get(c.modelId) ?? c.modelId },
          { title: 'last run', cell: (c) => time(c.lastRunAt) },
        ],
        conversations.items,
        { testId: 'conversations', empty: 'No conversations.' },
      ),
    ),
  );
}

async function conversationView(
  context: PageContext,
  tenantId: string,
  conversationId: string,
  body: HTMLElement,
): Promise<void> {
  const path = `/api/tenants/${encodeURIComponent(tenantId)}/conversations/${encodeURIComponent(conversationId)}`;
  const runs = el('div', {}, 'Loading…');
  fill(body, section(`Runs of ${conversationId}`, runs));
  // New runs show up while the page is open; each links to its live stream.
  await every(3_000, context.signal, async () => {
    try {
      const items = await newestFirst<Run>(context.api, `${path}/runs`);
      if (context.signal.aborted) return;
      fill(
        runs,
        table(
          [
            {
              title: 'run',
              cell: (r) =>
                link(
                  `${encodeURIComponent(tenantId)}/${encodeURIComponent(conversationId)}/${encodeURIComponent(r.id)}`,
                  r.id,
                ),
            },
            { title: 'status', cell: (r) => badge(r.status, r.status) },
            { title: 'started', cell: (r) => time(r.createdAt) },
            { title: 'steps', cell: (r) => r.steps, className: 'num' },
            {
              title: 'tokens in/out',
              cell: (r) => `${count(r.inputTokens)} / ${count(r.outputTokens)}`,
              className: 'num',
            },
            { title: 'cost', cell: (r) => usd(r.costUsd), className: 'num' },
            { title: 'error', cell: (r) => r.errorCode ?? '' },
          ],
          items,
          { testId: 'runs', empty: 'No runs yet.' },
        ),
      );
    } catch (err) {
      fill(runs, el('p', { class: 'error' }, describeError(err)));
    }
  });
}

function runSummary(run: Run): HTMLElement {
  return el(
    'p',
    { class: 'meta', 'data-testid': 'run-summary' },
    badge(run.status, run.status),
    ` model ${run.modelId}, started ${time(run.createdAt)}, finished ${time(run.finishedAt)}, ${run.steps} steps, ${usd(run.costUsd)}`,
    run.errorCode ? ` (${run.errorCode})` : '',
  );
}
