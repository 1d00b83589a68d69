// History: daily stacked bars by label, app, model or tag over 7, 30 or 90 days (GET usage/summary,
// answered from rollups), a table of the totals, and the CSV of the raw records (GET usage/export).
import { type Chart } from 'chart.js';
import { ApiError, explain, type Api } from '../api.js';
import { stackedBars, seriesColour } from '../chart.js';
import { h } from '../dom.js';
import { addDays, count, daysBetween, localMidnightUtc, usd, when } from '../format.js';
import { orgToday } from '../org.js';
import type { Summary } from '../types.js';
import { type Page } from './page.js';

const RANGES = [7, 30, 90] as const;
const DIMENSIONS = [
  { value: 'label', text: 'Label' },
  { value: 'app', text: 'App' },
  { value: 'model', text: 'Model' },
  { value: 'tag', text: 'Tag…' },
];

export const renderHistory: Page = ({ api }, main) => {
  let days: number = RANGES[0];
  let dim = 'label';
  let chart: Chart<'bar'> | undefined;
  const status = h('p', { class: 'error', role: 'alert', hidden: true });
  const note = h('p', { class: 'muted small', id: 'history-note' });
  const canvas = h('canvas', { id: 'history-chart', role: 'img', 'aria-label': 'Daily cost, stacked' });
  const chartBox = h('div', { class: 'chart', id: 'history-chart-box' }, canvas);
  const table = h('div', { class: 'table-wrap', id: 'history-table' });
  const rangeButtons = RANGES.map((n) =>
    h(
      'button',
      { type: 'button', class: 'seg', 'data-days': n, 'aria-pressed': String(n === days) },
      `${n} days`,
    ),
  );
  const dimSelect = h(
    'select',
    { id: 'history-group', 'aria-label': 'Group by' },
    DIMENSIONS.map((d) => h('option', { value: d.value }, d.text)),
  );
  const tagKey = h('input', {
    id: 'history-tag',
    placeholder: 'tag key',
    'aria-label': 'Tag key',
    hidden: true,
  });
  const csv = h('button', { type: 'button', id: 'download-csv', class: 'ghost' }, 'Download CSV');
  const csvNote = h('p', { class: 'muted small', id: 'csv-note', hidden: true });
  main.append(
    h('div', { class: 'page-head' }, h('h1', null, 'History'), note),
    h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Range' }, rangeButtons),
      h('label', { for: 'history-group' }, 'By'),
      dimSelect,
      tagKey,
      csv,
    ),
    csvNote,
    status,
    chartBox,
    table,
  );

  let range = { from: '', to: '', timezone: 'UTC' };
  const load = async () => {
    status.hidden = true;
    main.setAttribute('aria-busy', 'true');
    try {
      const today = (await orgToday(api)).aggregates;
      range = { to: today.date, from: addDays(today.date, 1 - days), timezone: today.timezone };
      const group = dim === 'tag' ? `tag:${tagKey.value.trim()}` : dim;
      if (group === 'tag:') throw new Error('Give a tag key (one of the org rollup_tag_keys).');
      const q = new URLSearchParams({ from: range.from, to: range.to, group_by: `day,${group}` });
      const s = (await api.request<Summary>(`/api/v1/orgs/${api.orgId}/usage/summary?${q}`)).body;
      draw(s, group);
      note.textContent =
        `${range.from} to ${range.to} (${range.timezone}) · total ${usd(s.totals.cost_usd_micros)}` +
        (s.complete ? '' : ` · today as of ${when(s.as_of, range.timezone)}`);
    } catch (e) {
      chart?.destroy();
      chart = undefined;
      table.replaceChildren();
      status.textContent = `Could not load the history: ${explain(e)}`;
      status.hidden = false;
    } finally {
      main.setAttribute('aria-busy', 'false');
      main.dataset.loaded = String(Number(main.dataset.loaded ?? 0) + 1);
    }
  };

  const draw = (s: Summary, group: string) => {
    const dayList = daysBetween(range.from, range.to);
    const index = new Map(dayList.map((d, i) => [d, i]));
    const byName = new Map<string, { values: number[]; cost: number; requests: number; errors: number }>();
    for (const row of s.rows) {
      const name = row.group[group] ?? valueOtherThanDay(row.group) ?? '(none)';
      let series = byName.get(name);
      if (!series) {
        series = { values: dayList.map(() => 0), cost: 0, requests: 0, errors: 0 };
        byName.set(name, series);
      }
      const i = index.get(row.group.day ?? '');
      if (i !== undefined) series.values[i]! += row.cost_usd_micros;
      series.cost += row.cost_usd_micros;
      series.requests += row.requests;
      series.errors += row.errors;
    }
    const ordered = [...byName.entries()].sort((a, b) => b[1].cost - a[1].cost);
    chart?.destroy();
    chart = stackedBars(
      canvas,
      dayList,
      ordered.map(([name, v]) => ({ name, values: v.values })),
    );
    chartBox.dataset.series = ordered.map(([n]) => n).join(',');
    chartBox.dataset.days = String(dayList.length);
    table.replaceChildren(
      h(
        'table',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, heading(group)),
            h('th', null, 'Cost'),
            h('th', null, 'Requests'),
            h('th', null, 'Errors'),
          ),
        ),
        h(
          'tbody',
          null,
          ordered.map(([name, v], i) => {
            const swatch = h('span', { class: 'swatch' });
            swatch.style.background = seriesColour(i);
            return h(
              'tr',
              { 'data-group': name },
              h('td', null, swatch, name),
              h('td', null, usd(v.cost)),
              h('td', null, count(v.requests)),
              h('td', null, count(v.errors)),
            );
          }),
        ),
        h(
          'tfoot',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Total'),
            h('th', null, usd(s.totals.cost_usd_micros)),
            h('th', null, count(s.totals.requests)),
            h('th', null, count(s.totals.errors)),
          ),
        ),
      ),
    );
  };

  for (const b of rangeButtons) {
    b.addEventListener('click', () => {
      days = Number(b.dataset.days);
      rangeButtons.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      void load();
    });
  }
  dimSelect.addEventListener('change', () => {
    dim = dimSelect.value;
    tagKey.hidden = dim !== 'tag';
    if (dim === 'tag') tagKey.focus();
    else void load();
  });
  tagKey.addEventListener('change', () => void load());
  csv.addEventListener('click', () => {
    csv.disabled = true;
    status.hidden = true;
    csvNote.hidden = true;
    downloadCsv(api, range, (text) => {
      csvNote.textContent = text;
      csvNote.hidden = false;
    })
      .catch((e: unknown) => {
        status.textContent = `Could not download the CSV: ${explain(e)}`;
        status.hidden = false;
      })
      .finally(() => (csv.disabled = false));
  });
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const recolour = () => void load();
  scheme.addEventListener('change', recolour);
  void load();
  return () => {
    scheme.removeEventListener('change', recolour);
    chart?.destroy();
  };
};

function heading(group: string): string {
  if (group.startsWith('tag:')) return `Tag ${group.slice(4)}`;
  return DIMENSIONS.find((d) => d.value === group)?.text ?? group;
}

function valueOtherThanDay(group: Record<string, string>): string | undefined {
  return Object.entries(group).find(([k]) => k !== 'day')?.[1];
}

/**
 * The raw records of the shown days (org-local midnights) as the export route's CSV file. The export
 * covers at most the record retention: past it the route answers 400 with details.max_range_days, and
 * the file then holds the last that many days (said in the note).
 */
async function downloadCsv(
  api: Api,
  range: { from: string; to: string; timezone: string },
  note: (text: string) => void,
): Promise<void> {
  const to = localMidnightUtc(addDays(range.to, 1), range.timezone);
  const ask = (from: string) =>
    api.download(
      `/api/v1/orgs/${api.orgId}/usage/export?${new URLSearchParams({ from, to, format: 'csv' })}`,
    );
  let res: Response;
  try {
    res = await ask(localMidnightUtc(range.from, range.timezone));
  } catch (e) {
    const max =
      e instanceof ApiError ? (e.body?.details as { max_range_days?: unknown } | undefined) : undefined;
    if (typeof max?.max_range_days !== 'number') throw e;
    res = await ask(new Date(Date.parse(to) - max.max_range_days * 86_400_000).toISOString());
    note(`The CSV holds the last ${max.max_range_days} days: records are kept that long.`);
  }
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name =
    /filename="([^"]+)"/.exec(disposition)?.[1] ?? `usage-${api.orgId}-${range.from}-${range.to}.csv`;
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
