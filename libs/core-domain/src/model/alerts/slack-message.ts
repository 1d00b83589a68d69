import { type AlertEvent } from './alert-event.js';

const usd = (micros: unknown) => (typeof micros === 'number' ? `$${(micros / 1_000_000).toFixed(2)}` : 'n/a');

/** A local wall time for people: `2026-12-31 19:00 (America/New_York)`. */
function localTime(iso: unknown, timezone: string): string {
  if (typeof iso !== 'string') return 'n/a';
  const d = new Date(iso);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} (${timezone})`;
}

const TITLES: Record<string, string> = {
  'budget.threshold_crossed': 'Budget threshold crossed',
  'budget.exhausted': 'Budget exhausted',
  'budget.forecast_at_risk': 'Budget at risk',
  'budget.spend_anomaly': 'Spend anomaly',
  'model.fallback_activated': 'Model fallback activated',
  'quota.all_exhausted': 'Every model is exhausted',
  'webhook.test': 'Test event',
  'webhook.disabled': 'Webhook disabled',
};

/**
 * A Slack incoming-webhook body `{ text, blocks }` that reads well in a channel: org, app, line,
 * pct, spend and limit in USD with 2 decimals, the period and its reset in the org's timezone.
 */
export function slackMessage(
  event: AlertEvent,
  org: { orgName: string; timezone: string },
): { text: string; blocks: unknown[] } {
  const d = event.data as Record<string, unknown> & {
    line?: { window: string; label: string | null; kind: string };
    period?: { key: string; start: string; end: string };
  };
  const title = TITLES[event.type] ?? event.type;
  const who = `${org.orgName}${typeof d.app_id === 'string' ? ` / ${d.app_id}` : ''}`;
  const facts: string[] = [];
  if (d.line) {
    const label = d.line.label ?? 'all labels';
    facts.push(`*Line:* ${d.line.window.toLowerCase()} ${d.line.kind} on ${label}`);
  }
  if (typeof d.pct === 'number') {
    facts.push(`*Spend:* ${usd(d.spend_usd_micros)} of ${usd(d.limit_usd_micros)} (${d.pct.toFixed(1)} %)`);
  }
  if (typeof d.threshold_pct === 'number') facts.push(`*Threshold:* ${d.threshold_pct} %`);
  if (d.period) {
    facts.push(`*Period:* ${d.period.key}, resets ${localTime(d.period.end, org.timezone)}`);
  }
  if (typeof d.to_label === 'string') {
    facts.push(`*Fallback:* ${String(d.from_label)} -> ${d.to_label} (${String(d.reason)})`);
  }
  if (typeof d.day === 'string' && !d.period) facts.push(`*Day:* ${d.day}`);
  const text = `${title}: ${who}${typeof d.pct === 'number' ? ` at ${d.pct.toFixed(1)} %` : ''}`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${who}*\n${facts.join('\n')}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Event ${event.id} at ${event.createdAt}` }] },
    ],
  };
}
