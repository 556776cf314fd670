import { Api, ApiError, describeError } from './api.js';
import { developersPage } from './developers-page.js';
import { el, fill } from './dom.js';
import { operatorsPage } from './operators-page.js';
import type { Page } from './page.js';
import { securityPage } from './security-page.js';

const PAGES: Record<string, { title: string; page: Page }> = {
  operators: { title: 'Operators', page: operatorsPage },
  developers: { title: 'Platform developers', page: developersPage },
  security: { title: 'Security', page: securityPage },
};

const api = new Api();
const nav = document.querySelector<HTMLElement>('#nav');
const main = document.querySelector<HTMLElement>('#main');
let leave = new AbortController();

function render(): void {
  if (!nav || !main) return;
  leave.abort();
  leave = new AbortController();
  if (api.key === null) {
    fill(nav);
    signIn(main);
    return;
  }
  const [name = 'operators', ...params] = location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '');
  const current = PAGES[name] ?? PAGES.operators;
  const signOut = el('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    api.signOut();
    render();
  });
  fill(
    nav,
    ...Object.entries(PAGES).map(([key, p]) =>
      el('a', { href: `#/${key}`, class: p === current ? 'active' : null }, p.title),
    ),
    signOut,
  );
  if (!current) return;
  document.title = `${current.title} · agentd`;
  current
    .page({ api, root: main, signal: leave.signal, params: params.map(decodeURIComponent) })
    .catch((err: unknown) => {
      fill(main, el('p', { class: 'error' }, describeError(err)));
    });
}

/** Asks for an API key and keeps it for this tab only; the console needs an admin key. */
function signIn(root: HTMLElement): void {
  const input = el('input', {
    type: 'password',
    name: 'key',
    autocomplete: 'off',
    required: true,
    'aria-label': 'API key',
    'data-testid': 'api-key',
  });
  const error = el('p', { class: 'error', 'aria-live': 'polite', 'data-testid': 'sign-in-error' });
  const form = el(
    'form',
    { class: 'sign-in' },
    el('h1', {}, 'agentd console'),
    el('label', {}, 'Admin API key', input),
    el('button', { type: 'submit', 'data-testid': 'sign-in' }, 'Sign in'),
    error,
    el('p', { class: 'meta' }, 'The key is kept in this tab’s session storage and sent only to this agentd.'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api.signIn(input.value.trim());
    api
      .get('/api/tenants?limit=1')
      .then(() => {
        if (location.hash === '' || location.hash === '#') location.hash = '#/operators';
        render();
      })
      .catch((err: unknown) => {
        api.signOut();
        fill(
          error,
          err instanceof ApiError && err.status === 403
            ? 'This key is not an admin key: the console needs one.'
            : describeError(err),
        );
      });
  });
  fill(root, form);
  input.focus();
}

window.addEventListener('hashchange', render);
render();
