// Audit: who changed what (GET /api/v1/orgs/{org_id}/audit), unlocked by the admin key, which is kept
// in memory only (a reload forgets it).
import { explain, type Api } from '../api.js';
import { h } from '../dom.js';
import { when } from '../format.js';
import type { AuditAction, AuditItem, AuditPage } from '../types.js';
import { type Page } from './page.js';

/**
 * The filter's actions: every AuditAction of the OpenAPI document, exactly (a key missing or extra
 * here fails the typecheck once libs/client/src/generated is regenerated).
 */
const ACTION_SET: Record<AuditAction, true> = {
  'org.created': true,
  'org.updated': true,
  'app.created': true,
  'app.updated': true,
  'credentials.rotated': true,
  'token.revoked': true,
  'profile.registered': true,
  'webhook.created': true,
  'webhook.updated': true,
  'webhook.deleted': true,
  'webhook.secret_rotated': true,
  'alerts.updated': true,
};
const ACTIONS = Object.keys(ACTION_SET);

export const renderAudit: Page = (ctx, main) => {
  main.append(h('div', { class: 'page-head' }, h('h1', null, 'Audit')));
  if (!ctx.api.hasAdminKey) main.append(unlockForm(ctx.api, ctx.refreshNav));
  else trail(ctx.api, main);
  return undefined;
};

function unlockForm(api: Api, done: () => void): HTMLElement {
  const key = h('input', { id: 'admin-key', type: 'password', autocomplete: 'off', required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'card unlock', id: 'unlock' },
    h('p', null, 'The audit trail needs the provisioning (admin) key. It stays in this page’s memory only.'),
    h('label', { for: 'admin-key' }, 'Admin key'),
    key,
    error,
    h('button', { type: 'submit' }, 'Unlock'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api.setAdminKey(key.value);
    // Checked by reading the trail: a wrong key is refused there (401).
    api
      .admin<AuditPage>(`/api/v1/orgs/${api.orgId}/audit?limit=1`)
      .then(() => done())
      .catch((err: unknown) => {
        api.setAdminKey(null);
        error.textContent = `Not unlocked: ${explain(err)}`;
        error.hidden = false;
      });
  });
  return form;
}

function trail(api: Api, main: HTMLElement): void {
  const status = h('p', { class: 'error', role: 'alert', hidden: true });
  const action = h(
    'select',
    { id: 'audit-action', 'aria-label': 'Action' },
    h('option', { value: '' }, 'Every action'),
    ACTIONS.map((a) => h('option', { value: a }, a)),
  );
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'ghost', hidden: true }, 'Older');
  const lock = h('button', { type: 'button', class: 'ghost' }, 'Lock');
  main.append(
    h('div', { class: 'toolbar' }, h('label', { for: 'audit-action' }, 'Show'), action, lock),
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'audit-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['When', 'Action', 'Target', 'Actor', 'Changes', 'Outcome'].map((t) => h('th', null, t)),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  let cursor: string | null = null;
  const load = async (reset: boolean) => {
    main.setAttribute('aria-busy', 'true');
    try {
      const q = new URLSearchParams({ limit: '50' });
      if (action.value) q.set('action', action.value);
      if (!reset && cursor) q.set('cursor', cursor);
      const r = await api.admin<AuditPage>(`/api/v1/orgs/${api.orgId}/audit?${q}`);
      if (reset) body.replaceChildren();
      body.append(...r.body.items.map(row));
      if (reset && !r.body.items.length)
        body.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'Nothing recorded.')));
      cursor = r.body.next_cursor;
      more.hidden = !cursor;
      status.hidden = true;
    } catch (e) {
      status.textContent = `Could not load the audit trail: ${explain(e)}`;
      status.hidden = false;
    } finally {
      main.setAttribute('aria-busy', 'false');
      main.dataset.loaded = String(Number(main.dataset.loaded ?? 0) + 1);
    }
  };
  action.addEventListener('change', () => void load(true));
  more.addEventListener('click', () => void load(false));
  lock.addEventListener('click', () => {
    api.setAdminKey(null);
    location.hash = '#/now';
  });
  void load(true);
}

function row(i: AuditItem): HTMLElement {
  const changes = Object.entries(i.changes ?? {}).map(([field, c]) =>
    h('div', null, h('code', null, field), `: ${short(c.before)} → ${short(c.after)}`),
  );
  return h(
    'tr',
    { 'data-action': i.action },
    h('td', null, when(i.occurred_at)),
    h('td', null, h('code', null, i.action)),
    h('td', null, `${i.target.type} ${i.target.id}`),
    h(
      'td',
      null,
      `${i.actor.kind} ${i.actor.id}`,
      i.actor.source_ip ? h('div', { class: 'muted small' }, i.actor.source_ip) : null,
    ),
    h('td', null, changes.length ? changes : '–'),
    h('td', null, i.outcome ?? ''),
  );
}

function short(v: unknown): string {
  if (v === undefined) return '∅';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
