// Alerts: the org's webhooks (add one, send a test), each one's delivery log, and the recent events.
import { explain, type Api } from '../api.js';
import { h } from '../dom.js';
import { when } from '../format.js';
import type { AlertEvent, CreatedWebhook, Delivery, Webhook } from '../types.js';
import { type Page } from './page.js';

export const renderAlerts: Page = ({ api }, main) => {
  const status = h('p', { class: 'error', role: 'alert', hidden: true });
  const list = h('div', { class: 'webhooks', id: 'webhooks' });
  const events = h('div', { class: 'table-wrap', id: 'events' });
  main.append(
    h('div', { class: 'page-head' }, h('h1', null, 'Alerts')),
    status,
    h(
      'section',
      null,
      h('h2', null, 'Webhooks'),
      list,
      addWebhookForm(api, () => void load(), status),
    ),
    h('section', null, h('h2', null, 'Recent events'), events),
  );
  const load = async () => {
    main.setAttribute('aria-busy', 'true');
    try {
      const org = api.orgId;
      const [hooks, evts] = await Promise.all([
        api.request<{ webhooks: Webhook[] }>(`/api/v1/orgs/${org}/webhooks`),
        api.request<{ events: AlertEvent[] }>(`/api/v1/orgs/${org}/events?limit=25`),
      ]);
      list.replaceChildren(
        ...(hooks.body.webhooks.length
          ? hooks.body.webhooks.map((w) => webhookCard(api, w, status))
          : [h('p', { class: 'muted' }, 'No webhook yet.')]),
      );
      events.replaceChildren(eventTable(evts.body.events));
      status.hidden = true;
    } catch (e) {
      status.textContent = `Could not load the alerts: ${explain(e)}`;
      status.hidden = false;
    } finally {
      main.setAttribute('aria-busy', 'false');
      main.dataset.loaded = String(Number(main.dataset.loaded ?? 0) + 1);
    }
  };
  void load();
  return undefined;
};

function addWebhookForm(api: Api, reload: () => void, status: HTMLElement): HTMLElement {
  const url = h('input', {
    id: 'webhook-url',
    type: 'url',
    placeholder: 'https://…',
    required: true,
    'aria-label': 'URL',
  });
  const format = h(
    'select',
    { id: 'webhook-format', 'aria-label': 'Format' },
    h('option', { value: 'standard' }, 'Standard Webhooks'),
    h('option', { value: 'slack' }, 'Slack'),
  );
  const secret = h('p', { class: 'secret', hidden: true, id: 'webhook-secret' });
  const form = h(
    'form',
    { class: 'inline', id: 'add-webhook' },
    h('label', { for: 'webhook-url' }, 'Add a webhook'),
    url,
    format,
    h('button', { type: 'submit' }, 'Add'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api
      .request<CreatedWebhook>(`/api/v1/orgs/${api.orgId}/webhooks`, {
        method: 'POST',
        body: { url: url.value.trim(), format: format.value },
      })
      .then((r) => {
        secret.replaceChildren('Signing secret (shown once, keep it now): ', h('code', null, r.body.secret));
        secret.hidden = false;
        url.value = '';
        reload();
      })
      .catch((err: unknown) => {
        status.textContent = `Could not add the webhook: ${explain(err)}`;
        status.hidden = false;
      });
  });
  return h('div', null, form, secret);
}

function webhookCard(api: Api, w: Webhook, status: HTMLElement): HTMLElement {
  const org = api.orgId;
  const log = h('div', { class: 'table-wrap deliveries' });
  const result = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const test = h('button', { type: 'button', class: 'test' }, 'Send test');
  const showLog = async () => {
    const r = await api.request<{ deliveries: Delivery[] }>(
      `/api/v1/orgs/${org}/webhooks/${encodeURIComponent(w.webhook_id)}/deliveries`,
    );
    log.replaceChildren(deliveryTable(r.body.deliveries));
  };
  test.addEventListener('click', () => {
    test.disabled = true;
    result.textContent = 'Sending…';
    api
      .request<Delivery>(`/api/v1/orgs/${org}/webhooks/${encodeURIComponent(w.webhook_id)}/test`, {
        method: 'POST',
      })
      .then(async (r) => {
        const d = r.body;
        result.textContent = `Test ${d.outcome}${d.status_code !== null ? ` (HTTP ${d.status_code}` : ' ('}${d.duration_ms !== null ? `, ${d.duration_ms} ms)` : ')'}${d.error ? `: ${d.error}` : ''}`;
        result.dataset.outcome = d.outcome;
        await showLog();
      })
      .catch((e: unknown) => {
        status.textContent = `Could not send the test: ${explain(e)}`;
        status.hidden = false;
        result.textContent = '';
      })
      .finally(() => (test.disabled = false));
  });
  void showLog().catch((e: unknown) => log.replaceChildren(h('p', { class: 'error' }, explain(e))));
  return h(
    'article',
    { class: 'card webhook', 'data-webhook': w.webhook_id },
    h(
      'header',
      null,
      h('h3', null, w.description || w.url || w.topic_arn || w.webhook_id),
      h(
        'span',
        { class: `badge ${w.enabled ? 'status-NORMAL' : 'status-EXCEEDED'}` },
        w.enabled ? 'enabled' : 'disabled',
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      h('code', null, w.url ?? w.topic_arn ?? ''),
      ` · ${w.type} · ${w.format} · ${w.event_types?.join(', ') ?? 'every event type'}`,
      w.disabled_reason ? ` · disabled: ${w.disabled_reason}` : '',
    ),
    h('div', { class: 'row' }, test, result),
    h('h4', null, 'Deliveries'),
    log,
  );
}

function deliveryTable(ds: Delivery[]): HTMLElement {
  if (!ds.length) return h('p', { class: 'muted small' }, 'No delivery yet.');
  return h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['When', 'Event', 'Attempt', 'Outcome', 'HTTP', 'Time', 'Next try'].map((t) => h('th', null, t)),
      ),
    ),
    h(
      'tbody',
      null,
      ds.map((d) =>
        h(
          'tr',
          { 'data-outcome': d.outcome },
          h('td', null, when(d.attempted_at)),
          h('td', null, h('code', null, d.event_id)),
          h('td', null, String(d.attempt)),
          h(
            'td',
            null,
            h('span', { class: `badge small outcome-${d.outcome}` }, d.outcome),
            d.error ? ` ${d.error}` : '',
          ),
          h('td', null, d.status_code === null ? '–' : String(d.status_code)),
          h('td', null, d.duration_ms === null ? '–' : `${d.duration_ms} ms`),
          h('td', null, when(d.next_attempt_at)),
        ),
      ),
    ),
  );
}

function eventTable(es: AlertEvent[]): HTMLElement {
  if (!es.length) return h('p', { class: 'muted' }, 'No event in the last 30 days.');
  return h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['When', 'Type', 'What'].map((t) => h('th', null, t)),
      ),
    ),
    h(
      'tbody',
      null,
      es.map((e) =>
        h(
          'tr',
          null,
          h('td', null, when(e.created_at)),
          h('td', null, h('code', null, e.type)),
          h('td', null, describe(e)),
        ),
      ),
    ),
  );
}

function describe(e: AlertEvent): string {
  const d = e.data as Record<string, unknown>;
  const line = d.line as { window?: string; label?: string | null } | undefined;
  const parts: string[] = [];
  if (typeof d.app_id === 'string') parts.push(`app ${d.app_id}`);
  if (line) parts.push(`${String(line.window ?? '').toLowerCase()} ${line.label ?? 'all labels'}`);
  if (typeof d.threshold_pct === 'number') parts.push(`crossed ${d.threshold_pct} %`);
  if (typeof d.pct === 'number') parts.push(`now ${d.pct} %`);
  if (typeof d.from_label === 'string') parts.push(`${d.from_label} → ${String(d.to_label)}`);
  return parts.join(' · ') || '–';
}
