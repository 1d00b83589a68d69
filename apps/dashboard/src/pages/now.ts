// Now: per app and label, spend against quota (TIGHT/EXCEEDED colours), the recommended model, sticky
// fallback and data lag; the week and month budgets with their forecast band.
import { ApiError, explain, type Api } from '../api.js';
import { append, h, setLeft, setWidth } from '../dom.js';
import { ago, pct, usd, when } from '../format.js';
import { addedApps, knownApps, orgToday, setAddedApps, type OrgToday } from '../org.js';
import type { BudgetLine, Budgets, ModelSelection } from '../types.js';
import { type Page } from './page.js';

const REFRESH_MS = 30_000;

export const renderNow: Page = ({ api }, main) => {
  const status = h('p', { class: 'error', role: 'alert', hidden: true });
  const meta = h('p', { class: 'meta', id: 'now-meta' }, 'Loading…');
  const refresh = h('button', { type: 'button', id: 'refresh' }, 'Refresh');
  let body: HTMLElement = h('div', { id: 'now-body' });
  main.append(h('div', { class: 'page-head' }, h('h1', null, 'Now'), meta, refresh), status, body);
  let busy = false;
  const load = async () => {
    if (busy) return;
    busy = true;
    refresh.disabled = true;
    main.setAttribute('aria-busy', 'true');
    try {
      const today = await orgToday(api);
      const next = await buildBody(api, today, () => void load());
      meta.replaceChildren(...metaLine(today));
      next.id = 'now-body';
      body.replaceWith(next);
      body = next;
      status.hidden = true;
    } catch (e) {
      status.textContent = `Could not load: ${explain(e)}`;
      status.hidden = false;
    } finally {
      busy = false;
      refresh.disabled = false;
      main.setAttribute('aria-busy', 'false');
      main.dataset.loaded = String(Number(main.dataset.loaded ?? 0) + 1);
    }
  };
  refresh.addEventListener('click', () => void load());
  void load();
  const timer = window.setInterval(() => void load(), REFRESH_MS);
  return () => window.clearInterval(timer);
};

function metaLine(t: OrgToday): (Node | string)[] {
  const a = t.aggregates;
  return [
    h('span', null, `${a.date} · ${a.timezone} · ${a.quota_scope} scope`),
    ' · ',
    h(
      'span',
      { id: 'data-lag', 'data-lag-secs': t.lagSecs, class: t.lagSecs > 300 ? 'warn' : null },
      a.updated_at ? `data ${ago(t.lagSecs)}` : 'no aggregation pass yet',
    ),
    ' · ',
    h('span', null, `today ${usd(a.total_cost_usd_micros)}`),
  ];
}

async function buildBody(api: Api, today: OrgToday, reload: () => void): Promise<HTMLElement> {
  const org = api.orgId;
  const appScope = today.aggregates.quota_scope === 'APP';
  const apps = await knownApps(api, today);
  const [cards, budgets] = await Promise.all([
    Promise.all(apps.map((app) => appCard(api, app, appScope, today, reload))),
    api.request<Budgets>(`/api/v1/orgs/${org}/budgets`).then((r) => r.body),
  ]);
  const tz = today.aggregates.timezone;
  const orgLines = budgets.lines.filter((l) => l.source === 'BUDGET');
  return h(
    'div',
    null,
    h(
      'section',
      { class: 'apps', 'aria-labelledby': 'apps-h' },
      h('h2', { id: 'apps-h' }, 'Apps'),
      cards.length
        ? h('div', { class: 'cards' }, cards)
        : h('p', { class: 'muted' }, 'No app to show yet: add one by its id below.'),
      addAppForm(org, reload),
    ),
    h(
      'section',
      { class: 'budgets', 'aria-labelledby': 'budgets-h' },
      h('h2', { id: 'budgets-h' }, 'Budgets'),
      orgLines.length ? legend() : null,
      orgLines.length
        ? h(
            'div',
            { class: 'lines' },
            orgLines.map((l) => budgetLine(l, tz)),
          )
        : h('p', { class: 'muted' }, 'No week or month budget is set (budgets in PUT org).'),
    ),
  );
}

function addAppForm(org: string, reload: () => void): HTMLElement {
  const input = h('input', {
    id: 'add-app-id',
    placeholder: 'app id',
    'aria-label': 'App id',
    pattern: '[A-Za-z0-9._-]{1,64}',
    required: true,
  });
  const form = h(
    'form',
    { class: 'inline', id: 'add-app' },
    h('label', { for: 'add-app-id' }, 'Show an app'),
    input,
    h('button', { type: 'submit', class: 'ghost' }, 'Add'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setAddedApps(org, [...addedApps(org), input.value.trim()]);
    reload();
  });
  return form;
}

const REASONS: Record<string, string> = {
  NORMAL: 'first choice',
  STICKY_FALLBACK: 'sticky fallback for the rest of the day',
};

function reasonText(reason: string): string {
  if (REASONS[reason]) return REASONS[reason];
  const q = /^QUOTA_EXCEEDED_(.+)$/.exec(reason);
  if (q) return `${q[1]!.toLowerCase()} quota exhausted`;
  const b = /^BUDGET_EXCEEDED_([A-Z]+)_(.+)$/.exec(reason);
  if (b)
    return `${b[1]!.toLowerCase()} budget (${b[2] === 'ALL' ? 'all labels' : b[2]!.toLowerCase()}) exhausted`;
  return reason.toLowerCase().replaceAll('_', ' ');
}

async function appCard(
  api: Api,
  app: string,
  appScope: boolean,
  today: OrgToday,
  reload: () => void,
): Promise<HTMLElement> {
  const org = api.orgId;
  const card = h('article', { class: 'card app', 'data-app': app }, h('header', null, h('h3', null, app)));
  const head = card.firstElementChild!;
  try {
    const [sel, lines] = await Promise.all([
      api
        .request<ModelSelection>(`/api/v1/orgs/${org}/apps/${encodeURIComponent(app)}/model-selection`)
        .then((r) => ({ ok: true as const, body: r.body }))
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.code === 'QUOTA_EXCEEDED') return { ok: false as const, error: e };
          throw e;
        }),
      appScope
        ? api
            .request<Budgets>(`/api/v1/orgs/${org}/apps/${encodeURIComponent(app)}/budgets`)
            .then((r) => r.body.lines.filter((l) => l.scope === 'APP' && l.source === 'BUDGET'))
        : Promise.resolve([] as BudgetLine[]),
    ]);
    if (sel.ok) {
      const s = sel.body;
      const q = s.quota_status;
      card.dataset.mode = q.mode;
      const fallback = s.recommended_model.reason !== 'NORMAL';
      head.append(
        h(
          'span',
          { class: 'badges' },
          fallback ? h('span', { class: 'badge status-TIGHT' }, 'FALLBACK') : null,
          h('span', { class: `badge status-${q.mode}`, 'data-testid': 'mode' }, q.mode),
        ),
      );
      append(card, [
        h(
          'p',
          { class: `recommended${fallback ? ' fallback' : ''}` },
          h('span', { class: 'muted' }, 'Use '),
          h('strong', { class: 'recommended-label' }, s.recommended_model.label),
          ' ',
          h('code', null, s.recommended_model.bedrock_model_id),
          h(
            'span',
            { class: 'reason', 'data-reason': s.recommended_model.reason },
            reasonText(s.recommended_model.reason),
          ),
        ),
        q.sticky_fallback_active
          ? h(
              'p',
              { class: 'sticky', 'data-testid': 'sticky' },
              `Sticky fallback on ${q.current_model}: no going back to a better label until the day ends.`,
            )
          : null,
        h(
          'ul',
          { class: 'bars' },
          Object.entries(q.models_status).map(([label, m]) =>
            bar(label, m.spend_usd_micros, m.quota_usd_micros, m.quota_pct, m.status),
          ),
        ),
      ]);
    } else {
      const details = (sel.error.body?.details ?? {}) as { models?: Record<string, { quota_pct: number }> };
      card.dataset.mode = 'EXCEEDED';
      head.append(h('span', { class: 'badge status-EXCEEDED', 'data-testid': 'mode' }, 'EXCEEDED'));
      const retry = sel.error.body?.retry_after;
      card.append(
        h(
          'p',
          { class: 'recommended fallback' },
          h('strong', { class: 'recommended-label' }, 'none'),
          h(
            'span',
            { class: 'reason', 'data-reason': 'QUOTA_EXCEEDED' },
            `every label is exhausted${typeof retry === 'string' ? `; usable again ${when(retry, today.aggregates.timezone)}` : ''}`,
          ),
        ),
        h(
          'ul',
          { class: 'bars' },
          Object.entries(details.models ?? {}).map(([label, m]) =>
            bar(label, null, null, m.quota_pct, 'EXCEEDED'),
          ),
        ),
      );
    }
    if (lines.length) {
      card.append(
        h('h4', null, 'App budgets'),
        h(
          'div',
          { class: 'lines' },
          lines.map((l) => budgetLine(l, today.aggregates.timezone)),
        ),
      );
    }
  } catch (e) {
    card.classList.add('failed');
    card.append(h('p', { class: 'error' }, explain(e)));
    if (addedApps(org).includes(app)) {
      const forget = h('button', { type: 'button', class: 'ghost' }, 'Remove');
      forget.addEventListener('click', () => {
        setAddedApps(
          org,
          addedApps(org).filter((a) => a !== app),
        );
        reload();
      });
      card.append(forget);
    }
  }
  return card;
}

function bar(
  label: string,
  spend: number | null,
  quota: number | null,
  p: number,
  status: string,
): HTMLElement {
  const fill = h('div', { class: 'fill' });
  setWidth(fill, p);
  return h(
    'li',
    { class: `bar-row status-${status}`, 'data-label': label, 'data-pct': p, 'data-status': status },
    h('span', { class: 'name' }, label),
    h(
      'div',
      {
        class: 'track',
        role: 'meter',
        'aria-label': `${label} spend against quota`,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': Math.min(100, p),
        'aria-valuetext': pct(p),
      },
      fill,
    ),
    h(
      'span',
      { class: 'value' },
      spend !== null && quota !== null ? `${usd(spend)} / ${usd(quota)} · ` : '',
      h('span', { class: 'pct' }, pct(p)),
      status !== 'NORMAL' ? h('span', { class: `badge small status-${status}` }, status) : null,
    ),
  );
}

function legend(): HTMLElement {
  const item = (key: string, text: string) =>
    h('span', { class: 'item' }, h('span', { class: `key key-${key}` }), text);
  return h(
    'p',
    { class: 'legend muted small' },
    item('fill', 'spent so far'),
    item('band', 'forecast for the period end (low to high; tick: most likely)'),
    item('limit', 'limit'),
  );
}

const FORECAST_TEXT: Record<string, string> = {
  on_track: 'on track',
  at_risk: 'at risk: may pass the limit',
  exhausted: 'exhausted',
  insufficient_data: 'not enough history for a forecast yet',
};

/** A budget line: spend, the forecast band (low..high, a tick at mid) and the limit on one scale. */
export function budgetLine(l: BudgetLine, tz: string): HTMLElement {
  const f = l.forecast;
  const end = f?.projected_end_usd_micros ?? null;
  const scale = Math.max(l.limit_usd_micros, l.spend_usd_micros, end?.high ?? 0, 1) * 1.08;
  const at = (v: number) => (v / scale) * 100;
  const fill = h('div', { class: 'fill' });
  setWidth(fill, at(l.spend_usd_micros));
  const track = h('div', { class: 'track forecast' }, fill);
  if (end) {
    const band = h('div', { class: 'band', title: 'Forecast range for the period end' });
    setLeft(band, at(end.low));
    setWidth(band, at(end.high) - at(end.low));
    const mid = h('div', { class: 'mid', title: 'Most likely period end' });
    setLeft(mid, at(end.mid));
    track.append(band, mid);
  }
  const limit = h('div', { class: 'limit', title: 'Limit' });
  setLeft(limit, at(l.limit_usd_micros));
  track.append(limit);
  const name = `${l.window[0]}${l.window.slice(1).toLowerCase()} · ${l.label ?? 'all labels'}`;
  return h(
    'div',
    {
      class: `line status-${l.status}`,
      'data-window': l.window,
      'data-label': l.label ?? '',
      'data-forecast': f?.status ?? 'none',
    },
    h(
      'div',
      { class: 'line-head' },
      h('strong', null, name),
      h('span', { class: `badge small status-${l.status}` }, l.status),
      h(
        'span',
        { class: 'value' },
        `${usd(l.spend_usd_micros)} of ${usd(l.limit_usd_micros)} · ${pct(l.pct)}`,
      ),
    ),
    track,
    h(
      'p',
      { class: 'forecast-text muted small' },
      end
        ? `Period end: ${usd(end.low)} – ${usd(end.high)} (most likely ${usd(end.mid)}), ${FORECAST_TEXT[f!.status] ?? f!.status}`
        : `Forecast: ${FORECAST_TEXT[f?.status ?? ''] ?? 'none for a closed period'}`,
      f?.projected_exhaustion_at ? `; runs out ${when(f.projected_exhaustion_at, tz)}` : '',
      ` · resets ${when(l.resets_at, tz)}`,
    ),
  );
}
