import { burnRate, type InFlight } from '../../model/quota/quota-status.js';

/** Each new call's weight in the lead-time and cost means decays by this factor (about the last 50 calls). */
export const CALL_DECAY = 0.998;
/** A lead time counts at most this much more than the call's latency (clock skew, late batches). */
export const MAX_REPORT_DELAY_SECS = 60;
/** The burn rate is measured from the oldest aggregated total seen within this many seconds. */
export const RATE_WINDOW_SECS = 150;
/** Labels (scope + label) this process keeps figures for; the oldest is dropped beyond. */
export const MAX_FLOWS = 10_000;

interface Flow {
  /** Decayed, cost-weighted sums over the calls reported here: lead times, costs, weights. */
  leadWeighted: number;
  costWeighted: number;
  weight: number;
  /** Aggregated totals of the label seen recently (distinct write times, oldest first). */
  totals: Array<{ costUsdMicros: number; at: Date }>;
}

/**
 * What this process learns about the calls of each (scope, label) to estimate the spend in flight
 * (quota-status.ts, InFlight). From the usage events it receives with `latency_ms`: the mean lead
 * time of a call (from its start to its report) and the cost-weighted mean cost, both weighted by cost
 * (Little's law on spend). From the aggregated totals it reads: the totals of the last
 * RATE_WINDOW_SECS, so the burn rate is measured over one to two aggregation intervals, not over
 * the few seconds since the last pass. Spend itself always comes from storage; these are shapes of
 * the traffic, which every process sees a fair sample of. Until a `latency_ms` event arrives
 * nothing is predicted for the label (it turns EXCEEDED at the quota, as before).
 */
export class CallFlow {
  private readonly flows = new Map<string, Flow>();

  /**
   * A usage event counted for the first time, received at `now`: its cost, Bedrock latency and
   * timestamp. The call started no later than its timestamp nor than `latency` before now, so its
   * lead time is max(latency, now - timestamp): exact when the timestamp is the call's start (as the
   * SDK's Bedrock helper sends it), the latency alone when it is the call's end.
   */
  observeCall(
    scopeKey: string,
    label: string,
    call: { costUsdMicros: number; latencyMs: number; timestamp: Date },
    now: Date,
  ): void {
    const latency = call.latencyMs / 1000;
    const sinceTimestamp = (now.getTime() - call.timestamp.getTime()) / 1000;
    const lead = Math.max(latency, Math.min(latency + MAX_REPORT_DELAY_SECS, sinceTimestamp));
    const w = Math.max(1, call.costUsdMicros);
    const f = this.flow(scopeKey, label);
    f.leadWeighted = f.leadWeighted * CALL_DECAY + w * lead;
    f.costWeighted = f.costWeighted * CALL_DECAY + w * call.costUsdMicros;
    f.weight = f.weight * CALL_DECAY + w;
  }

  /** The mean lead time of a call of the label, seconds; undefined before any `latency_ms` event. */
  leadSecs(scopeKey: string, label: string): number | undefined {
    const f = this.flows.get(key(scopeKey, label));
    return f && f.weight > 0 ? f.leadWeighted / f.weight : undefined;
  }

  /**
   * The calls in flight on a label at `now`, given its aggregated total (and when it was written) and
   * its live spend: the burn rate since the oldest total seen in the last RATE_WINDOW_SECS (at least
   * MIN_RATE_WINDOW_SECS ago), the mean lead time and cost. Undefined when a part is unknown.
   */
  inFlight(
    scopeKey: string,
    label: string,
    aggregated: { costUsdMicros: number; at: Date } | undefined,
    liveUsdMicros: number,
    now: Date,
  ): InFlight | undefined {
    const f = this.flows.get(key(scopeKey, label));
    if (!f || !(f.weight > 0)) return undefined;
    if (aggregated && !f.totals.some((t) => t.at.getTime() === aggregated.at.getTime())) {
      f.totals.push(aggregated);
      f.totals.sort((a, b) => a.at.getTime() - b.at.getTime());
    }
    const oldest = now.getTime() - RATE_WINDOW_SECS * 1000;
    while (f.totals.length > 1 && f.totals[0]!.at.getTime() < oldest) f.totals.shift();
    let rate: number | undefined;
    for (const t of f.totals) {
      if (t.at.getTime() < oldest || t.at > now) continue;
      rate = burnRate(t, liveUsdMicros, now);
      if (rate !== undefined) break;
    }
    if (rate === undefined) return undefined;
    return {
      rateUsdMicrosPerSec: rate,
      leadSecs: f.leadWeighted / f.weight,
      lumpUsdMicros: f.costWeighted / f.weight,
    };
  }

  private flow(scopeKey: string, label: string): Flow {
    const k = key(scopeKey, label);
    let f = this.flows.get(k);
    if (!f) {
      if (this.flows.size >= MAX_FLOWS) this.flows.delete(this.flows.keys().next().value!);
      f = { leadWeighted: 0, costWeighted: 0, weight: 0, totals: [] };
      this.flows.set(k, f);
    }
    return f;
  }
}

const key = (scopeKey: string, label: string) => `${scopeKey}|${label}`;
