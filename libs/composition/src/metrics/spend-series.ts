import { ALL_LABELS, type LineState, type ObservedScope } from '#core-domain';

/** One line's gauges: bck_spend_usd_micros and bck_limit_usd_micros with these labels. */
export interface SpendSeries {
  org: string;
  /** Empty for the org's own lines (its budgets, and its daily quotas in ORG quota scope). */
  app: string;
  /** The model label, or `*` for a line over every label. */
  label: string;
  window: 'day' | 'week' | 'month';
  spendUsdMicros: number;
  limitUsdMicros: number;
  /** When the line's period ends (epoch ms): the series goes then. */
  periodEndMs: number;
}

const SEP = '\u0000';

/**
 * The spend series the worker exports, bounded: at most `maxSeries` lines (each one spend and one
 * limit series). Each scope the aggregator evaluates replaces the series it owns: the app's own
 * lines (owner org+app) and the org's lines (owner org). A series goes when its period ends
 * (`prune`), when its owner reports without it, or when its app goes (`forgetApp`). When full, new
 * series are refused (counted in `refused`) until others go; series already present keep updating.
 * Two lines with the same labels (a daily quota and a DAY budget on one label) export the tighter limit.
 */
export class SpendSeriesStore {
  private readonly owners = new Map<string, Map<string, SpendSeries>>();
  private count = 0;
  /** Series refused because the cap was reached (since start). */
  refused = 0;

  constructor(readonly maxSeries: number) {}

  /** Number of series held. */
  get size(): number {
    return this.count;
  }

  /** The lines of one evaluated scope replace the series of their owners. */
  update(scope: ObservedScope, lines: readonly LineState[]): void {
    const orgOwner: Map<string, SpendSeries> = new Map();
    const appOwner: Map<string, SpendSeries> = new Map();
    for (const line of lines) {
      const app = line.scope === 'APP' && scope.appId !== undefined ? scope.appId : '';
      const series: SpendSeries = {
        org: scope.orgId,
        app,
        label: line.label ?? ALL_LABELS,
        window: line.window.toLowerCase() as SpendSeries['window'],
        spendUsdMicros: line.spendUsdMicros,
        limitUsdMicros: line.limitUsdMicros,
        periodEndMs: line.period.end.getTime(),
      };
      const into = app === '' ? orgOwner : appOwner;
      const key = series.label + SEP + series.window;
      const had = into.get(key);
      if (!had || series.limitUsdMicros < had.limitUsdMicros) into.set(key, series);
    }
    this.replace(scope.orgId, orgOwner);
    if (scope.appId !== undefined) this.replace(ownerKey(scope.orgId, scope.appId), appOwner);
  }

  /** Drops every series (this worker no longer holds the lease: another one exports them). */
  clear(): void {
    this.owners.clear();
    this.count = 0;
  }

  /** Drops the series of an app that is gone. */
  forgetApp(orgId: string, appId: string): void {
    this.replace(ownerKey(orgId, appId), new Map());
  }

  /** The apps that own series (to check they still exist). */
  apps(): Array<{ orgId: string; appId: string }> {
    const out: Array<{ orgId: string; appId: string }> = [];
    for (const key of this.owners.keys()) {
      const at = key.indexOf(SEP);
      if (at >= 0) out.push({ orgId: key.slice(0, at), appId: key.slice(at + 1) });
    }
    return out;
  }

  /** Removes the series whose period has ended at `nowMs`. */
  prune(nowMs: number): void {
    for (const [owner, series] of this.owners) {
      for (const [key, s] of series) {
        if (s.periodEndMs <= nowMs) {
          series.delete(key);
          this.count--;
        }
      }
      if (series.size === 0) this.owners.delete(owner);
    }
  }

  /** Every series held. */
  *all(): Iterable<SpendSeries> {
    for (const series of this.owners.values()) yield* series.values();
  }

  private replace(owner: string, next: Map<string, SpendSeries>): void {
    const before = this.owners.get(owner);
    const others = this.count - (before?.size ?? 0);
    const kept = new Map<string, SpendSeries>();
    // Series already exported keep their place (they fit: they were counted before) ...
    for (const [key, s] of next) if (before?.has(key)) kept.set(key, s);
    // ... new ones need room under the cap.
    for (const [key, s] of next) {
      if (kept.has(key)) continue;
      if (others + kept.size >= this.maxSeries) this.refused++;
      else kept.set(key, s);
    }
    if (kept.size > 0) this.owners.set(owner, kept);
    else this.owners.delete(owner);
    this.count = others + kept.size;
  }
}

function ownerKey(orgId: string, appId: string): string {
  return orgId + SEP + appId;
}
