import { ApiError, describeError, type Api } from './api.js';
import { el, fill, section } from './dom.js';
import { time } from './format.js';

interface PolicyState {
  document: unknown;
  source: string;
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * The lifecycle policy as an editable JSON document. agentd validates it (every problem at once); its issues
 * are shown next to the editor, and nothing is applied unless all of it is valid.
 */
export async function policyEditor(api: Api, root: HTMLElement): Promise<void> {
  const meta = el('p', { class: 'meta', 'data-testid': 'policy-meta' });
  const editor = el('textarea', {
    class: 'policy',
    rows: 18,
    spellcheck: 'false',
    'aria-label': 'lifecycle policy (JSON)',
    'data-testid': 'policy-editor',
  });
  const issues = el('ul', { class: 'issues', 'data-testid': 'policy-issues', 'aria-live': 'polite' });
  const status = el('p', { class: 'status', 'data-testid': 'policy-status', 'aria-live': 'polite' });
  const save = el('button', { type: 'button', 'data-testid': 'policy-save' }, 'Save policy');
  const reload = el('button', { type: 'button', class: 'secondary' }, 'Reload');

  const show = (state: PolicyState) => {
    editor.value = JSON.stringify(state.document, null, 2);
    const by = state.updatedBy ? ` by ${state.updatedBy}` : '';
    fill(meta, `Source: ${state.source}; updated ${time(state.updatedAt)}${by}.`);
  };
  const load = async () => {
    fill(issues);
    fill(status);
    try {
      show(await api.get<PolicyState>('/api/admin/policies'));
    } catch (err) {
      fill(status, describeError(err));
    }
  };
  save.addEventListener('click', () => {
    fill(issues);
    fill(status);
    let document: unknown;
    try {
      document = JSON.parse(editor.value) as unknown;
    } catch (err) {
      fill(issues, el('li', {}, `not JSON: ${(err as Error).message}`));
      return;
    }
    save.disabled = true;
    api
      .put<PolicyState>('/api/admin/policies', document)
      .then((state) => {
        show(state);
        fill(status, 'Saved and applied.');
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.issues.length > 0) {
          fill(issues, ...err.issues.map((issue) => el('li', {}, issue)));
          fill(status, 'Not saved: the policy has problems.');
        } else fill(status, describeError(err));
      })
      .finally(() => {
        save.disabled = false;
      });
  });
  reload.addEventListener('click', () => void load());
  fill(
    root,
    section('Lifecycle policy', meta, editor, issues, el('div', { class: 'actions' }, save, reload), status),
  );
  await load();
}
