import {
  alertEventId,
  ALERT_EVENT_TTL_DAYS,
  budgetEventData,
  lineIdentity,
  type AlertEvent,
  type AlertEventType,
} from '../../model/alerts/alert-event.js';
import { isExhausted, isSpendAnomaly, thresholdsReached } from '../../model/alerts/alert-rules.js';
import { takesEvent, type Delivery } from '../../model/alerts/webhook.entity.js';
import { forecastLine } from '../../model/budgets/forecast.js';
import {
  linePeriod,
  lineState,
  linesFor,
  type LineDef,
  type LineState,
} from '../../model/quota/budget-lines.js';
import { assessSelection } from '../../model/selection/model-selection.js';
import { parseScopeKey, type EffectiveConfig } from '../../model/tenants/tenant.entity.js';
import { daysBetween, periodKeyOf } from '../../model/time/budget-window.js';
import { nextLocalMidnight, orgDay } from '../../model/time/org-time.js';
import { lastHourSpend, periodTotalId, type PeriodTotalKey } from '../../model/usage/period-total.js';
import { type AlertEvents } from '../../ports/alert-events.port.js';
import { type Clock } from '../../ports/clock.port.js';
import { type Deliveries } from '../../ports/deliveries.port.js';
import { type PeriodTotals } from '../../ports/period-totals.port.js';
import { type ServiceObserver } from '../../ports/service-observer.port.js';
import { type StickyStates } from '../../ports/sticky-states.port.js';
import { type WebhookEndpoints } from '../../ports/webhook-endpoints.port.js';
import { mapLimit } from '../shared/map-limit.js';
import { lineTotalKey, trailingDayKeys } from '../shared/line-spend.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';

export interface EvaluateAlertsOptions {
  periodTotals: PeriodTotals;
  events: AlertEvents;
  webhooks: WebhookEndpoints;
  deliveries: Deliveries;
  sticky: StickyStates;
  configs: TenantConfigCache;
  clock: Clock;
  /** Told every evaluated scope's lines (the worker's spend gauges). */
  observer?: ServiceObserver;
}

/** A scope the aggregator has just written totals for, with the config that governs it. */
export interface ScopeToEvaluate {
  eff: EffectiveConfig;
}

/**
 * Turns the totals the aggregator wrote into alert events, each created once ever by a conditional
 * write keyed by its derived id (org, line, period, threshold): thresholds reached (a jump fires
 * every threshold it passes), exhausted, forecast at risk (low end of the range over the limit),
 * spend anomaly (the last hour, from the day total's samples, against the average hour of the 7 days
 * before today, from their day totals; once per line and day),
 * the sticky fallback of the day, and every label out. A created event is fanned out as one
 * pending delivery per endpoint that takes its type (delivered by DeliverWebhooks). Reads: one
 * batch of period totals per pass chunk, one sticky read per scope of today; nothing on the
 * request paths.
 */
export class EvaluateAlerts {
  constructor(private readonly o: EvaluateAlertsOptions) {}

  async run(scopes: readonly ScopeToEvaluate[]): Promise<{ eventsCreated: number }> {
    const now = this.o.clock.now();
    const byScope = new Map<string, EffectiveConfig>();
    for (const { eff } of scopes) byScope.set(eff.scopeKey, eff);
    let created = 0;
    await mapLimit([...byScope.values()], 4, async (eff) => {
      created += await this.evaluateScope(eff, now);
    });
    return { eventsCreated: created };
  }

  private async evaluateScope(eff: EffectiveConfig, now: Date): Promise<number> {
    const org = await this.o.configs.org(eff.orgId);
    if (!org) return 0;
    const today = orgDay(now, eff.timezone);
    const defs = linesFor(eff);
    const keyOf = lineTotalKey;
    const trailing = trailingDayKeys(today);
    const keys: PeriodTotalKey[] = [];
    const periodOf = (def: LineDef) => linePeriod(def, now, eff);
    const todayKey = periodKeyOf('DAY', today);
    for (const def of defs) {
      keys.push(keyOf(def, periodOf(def).key), keyOf(def, todayKey));
      for (const k of trailing) keys.push(keyOf(def, k));
    }
    const got = await this.o.periodTotals.get(keys, now);
    const historyDays = daysBetween(orgDay(new Date(org.createdAt), eff.timezone), today);
    const appId = eff.quotaScope === 'APP' ? parseScopeKey(eff.scopeKey).appId : undefined;
    const lines: LineState[] = [];
    let created = 0;
    for (const def of defs) {
      const period = periodOf(def);
      const stored = got.get(periodTotalId(keyOf(def, period.key)));
      const line = lineState(def, period, stored?.costUsdMicros ?? 0, eff.tightModeThresholdPct);
      lines.push(line);
      // A zero limit switches a label off on purpose: nothing to warn about.
      if (line.limitUsdMicros === 0) continue;
      const asOf = stored?.updatedAt ?? now.toISOString();
      const id = [eff.orgId, lineIdentity(line), period.key];
      // An org budget in APP scope is the org's line, not the app's.
      const lineAppId = def.scope === 'APP' ? appId : undefined;
      for (const t of thresholdsReached(line.spendUsdMicros, line.limitUsdMicros, eff.alertThresholdsPct)) {
        created += await this.fire('budget.threshold_crossed', [...id, `t${t}`], eff.orgId, now, {
          ...budgetEventData({ line, appId: lineAppId, thresholdPct: t, asOf }),
        });
      }
      if (isExhausted(line.spendUsdMicros, line.limitUsdMicros)) {
        created += await this.fire('budget.exhausted', [...id, 'exhausted'], eff.orgId, now, {
          ...budgetEventData({ line, appId: lineAppId, asOf }),
        });
        continue;
      }
      const last7 = trailing.reduce(
        (sum, k) => sum + (got.get(periodTotalId(keyOf(def, k)))?.costUsdMicros ?? 0),
        0,
      );
      const trailing7DaysSpend = def.window === 'DAY' ? undefined : last7;
      // Trend: the last hour against the average hour of the 7 days before today, once per line and day.
      const lastHour = lastHourSpend(got.get(periodTotalId(keyOf(def, todayKey))), now);
      if (
        lastHour !== undefined &&
        isSpendAnomaly({
          lastHourSpend: lastHour,
          averageHourlySpend: last7 / (7 * 24),
          factor: eff.anomalyFactor,
          limit: line.limitUsdMicros,
        })
      ) {
        created += await this.fire('budget.spend_anomaly', [...id, today, 'anomaly'], eff.orgId, now, {
          ...budgetEventData({ line, appId: lineAppId, asOf }),
          last_hour_spend_usd_micros: Math.round(lastHour),
          average_hourly_spend_usd_micros: Math.round(last7 / (7 * 24)),
        });
      }
      const forecast = forecastLine({ line, now, historyDays, trailing7DaysSpend });
      // Only when even the low end of the range goes over the limit.
      if (forecast.projectedEnd && forecast.projectedEnd.low > line.limitUsdMicros) {
        created += await this.fire('budget.forecast_at_risk', [...id, 'forecast'], eff.orgId, now, {
          ...budgetEventData({ line, appId: lineAppId, asOf }),
          forecast: forecast.projectedEnd,
        });
      }
    }
    this.o.observer?.linesEvaluated({ orgId: eff.orgId, appId }, lines);
    created += await this.scopeEvents(eff, appId, today, now, lines);
    return created;
  }

  /** The fallback of the day (whoever moved the sticky state) and every label out. */
  private async scopeEvents(
    eff: EffectiveConfig,
    appId: string | undefined,
    today: string,
    now: Date,
    lines: LineState[],
  ): Promise<number> {
    let created = 0;
    const sticky = eff.stickyFallbackEnabled ? await this.o.sticky.get(eff.scopeKey, today, now) : undefined;
    const scope = { scope: eff.quotaScope, ...(appId ? { app_id: appId } : {}) };
    if (sticky) {
      created += await this.fire(
        'model.fallback_activated',
        [eff.orgId, eff.scopeKey, today, 'fallback', sticky.label],
        eff.orgId,
        now,
        {
          ...scope,
          day: today,
          from_label: sticky.previousLabel,
          to_label: sticky.label,
          reason: sticky.reason,
        },
      );
    }
    const { decision } = assessSelection({
      ordering: eff.modelOrdering,
      lines,
      stickyEnabled: eff.stickyFallbackEnabled,
      sticky,
      dayEnd: nextLocalMidnight(now, eff.timezone),
    });
    if (decision.kind === 'all-exceeded') {
      created += await this.fire(
        'quota.all_exhausted',
        [eff.orgId, eff.scopeKey, today, 'all'],
        eff.orgId,
        now,
        {
          ...scope,
          day: today,
        },
      );
    }
    return created;
  }

  /** Creates the event once; a new one gets a pending delivery per endpoint that takes its type. */
  private async fire(
    type: AlertEventType,
    idParts: string[],
    orgId: string,
    now: Date,
    data: Record<string, unknown>,
  ): Promise<number> {
    const event: AlertEvent = {
      id: alertEventId([type, ...idParts]),
      type,
      orgId,
      createdAt: now.toISOString(),
      data,
      expiresAt: Math.floor(now.getTime() / 1000) + ALERT_EVENT_TTL_DAYS * 86400,
    };
    if ((await this.o.events.createOnce(event)) !== 'created') return 0;
    await fanOut(this.o.webhooks, this.o.deliveries, event, now);
    return 1;
  }
}

/** One pending delivery per enabled endpoint of the org that takes the event's type (`only`: some of them). */
export async function fanOut(
  webhooks: WebhookEndpoints,
  deliveries: Deliveries,
  event: AlertEvent,
  now: Date,
  opts: { only?: (webhookId: string) => boolean; suffix?: string } = {},
): Promise<Delivery[]> {
  const { only } = opts;
  const targets = (await webhooks.list(event.orgId)).filter(
    (w) => takesEvent(w, event.type) && (!only || only(w.webhookId)),
  );
  const list = targets.map((w): Delivery => ({
    orgId: event.orgId,
    webhookId: w.webhookId,
    // The first delivery of an event to an endpoint has a derived id (creating it twice is a no-op);
    // a redelivery gets a fresh suffix.
    deliveryId: opts.suffix ? `${event.id}.${w.webhookId}.${opts.suffix}` : `${event.id}.${w.webhookId}`,
    eventId: event.id,
    status: 'pending',
    attempts: [],
    nextAttemptAt: now.toISOString(),
    version: 0,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + ALERT_EVENT_TTL_DAYS * 86400,
  }));
  if (list.length) await deliveries.create(list);
  return list;
}
