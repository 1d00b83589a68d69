// The dashboard: sign-in, then the Now, History, Alerts and Audit pages (hash routes, one bundle).
import './styles.css';
import { Api, ApiError, explain } from './api.js';
import { clear, h } from './dom.js';
import { renderAlerts } from './pages/alerts.js';
import { renderAudit } from './pages/audit.js';
import { renderHistory } from './pages/history.js';
import { renderNow } from './pages/now.js';
import { type Page, type PageContext } from './pages/page.js';

const PAGES: { route: string; title: string; render: Page }[] = [
  { route: 'now', title: 'Now', render: renderNow },
  { route: 'history', title: 'History', render: renderHistory },
  { route: 'alerts', title: 'Alerts', render: renderAlerts },
  { route: 'audit', title: 'Audit', render: renderAudit },
];

const api = new Api();
const root = document.getElementById('app')!;
let stopPage: (() => void) | undefined;

function route(): string {
  const r = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.route === r) ? r : 'now';
}

function show(): void {
  stopPage?.();
  stopPage = undefined;
  clear(root);
  if (!api.signedIn) {
    root.append(signInForm());
    return;
  }
  const current = route();
  const page = PAGES.find((p) => p.route === current)!;
  document.title = `${page.title} · Bedrock Cost Keeper`;
  const main = h('main', { id: 'page', class: `page page-${current}` });
  root.append(topBar(current), main);
  const ctx: PageContext = { api, refreshNav: () => show() };
  stopPage = page.render(ctx, main);
}

function topBar(current: string): HTMLElement {
  const signOut = h('button', { type: 'button', class: 'ghost', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => void api.signOut());
  return h(
    'header',
    { class: 'top' },
    h('span', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Cost Keeper'),
    h(
      'nav',
      { 'aria-label': 'Pages' },
      PAGES.map((p) =>
        h(
          'a',
          {
            href: `#/${p.route}`,
            'aria-current': p.route === current ? 'page' : null,
            'data-route': p.route,
          },
          p.title,
          p.route === 'audit' && !api.hasAdminKey
            ? h('span', { class: 'lock', title: 'Needs the admin key' }, '•')
            : null,
        ),
      ),
    ),
    h('span', { class: 'who', title: `org ${api.orgId}` }, 'org ', h('code', null, api.orgId.slice(0, 8))),
    signOut,
  );
}

function signInForm(): HTMLElement {
  document.title = 'Sign in · Bedrock Cost Keeper';
  const id = h('input', {
    id: 'client-id',
    name: 'client_id',
    autocomplete: 'username',
    required: true,
    spellcheck: 'false',
  });
  const secret = h('input', {
    id: 'client-secret',
    name: 'client_secret',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', id: 'sign-in' },
    h('h1', null, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Bedrock Cost Keeper'),
    h(
      'p',
      { class: 'muted' },
      "Sign in with your org's client id and secret (from PUT /api/v1/orgs/{org_id}).",
    ),
    h('label', { for: 'client-id' }, 'Client id'),
    id,
    h('label', { for: 'client-secret' }, 'Client secret'),
    secret,
    error,
    submit,
    h(
      'p',
      { class: 'muted small' },
      'The session ends when this tab closes; nothing is kept on this device.',
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    api
      .signIn(id.value.trim(), secret.value)
      .then(() => {
        // A new hash shows the page through hashchange; the same one needs showing here.
        if (route() !== 'now' || location.hash === '#/now') show();
        else location.hash = '#/now';
      })
      .catch((err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.status === 401
            ? 'Sign-in failed: the client id or the secret is wrong.'
            : `Sign-in failed: ${explain(err)}`;
        error.hidden = false;
        secret.select();
      })
      .finally(() => (submit.disabled = false));
  });
  return h('div', { class: 'center' }, form);
}

api.onSignedOut = () => show();
window.addEventListener('hashchange', show);
show();
