/** Status of one label on one org day. */
export type LabelStatus = 'NORMAL' | 'TIGHT' | 'EXCEEDED';
/** The scope's mode: the status of the recommended model, TIGHT or NORMAL. */
export type Mode = 'NORMAL' | 'TIGHT';

/**
 * EXCEEDED when spend >= quota (a quota of 0 is always exceeded), or when spend plus the spend
 * still in flight (`inFlight`: inFlightSpend, 0 without an estimate) reaches the quota; TIGHT when
 * spend / quota * 100 >= threshold; NORMAL otherwise. Integer math, no floats.
 */
export function labelStatus(spend: number, quota: number, thresholdPct: number, inFlight = 0): LabelStatus {
  if (spend >= quota) return 'EXCEEDED';
  if (inFlight > 0 && spend + inFlight >= quota) return 'EXCEEDED';
  if (BigInt(spend) * 100n >= BigInt(thresholdPct) * BigInt(quota)) return 'TIGHT';
  return 'NORMAL';
}

/** Percentage of quota with one decimal. A quota of 0 reads as 100.0. */
export function quotaPct(spend: number, quota: number): number {
  if (quota <= 0) return 100;
  return Math.round((spend * 1000) / quota) / 10;
}

/**
 * The calls under way on a label: started while it was usable, reported later. By Little's law
 * their expected spend is the label's live burn rate times the mean lead time of a call (from its
 * start to its usage report: Bedrock's latency plus the report delay, weighted by cost). Counting it
 * turns a label EXCEEDED when the calls already started will spend what is left, not after.
 */
export interface InFlight {
  /** Live burn rate, micro-USD per second. */
  rateUsdMicrosPerSec: number;
  /** Mean lead time of a call (cost-weighted), seconds. */
  leadSecs: number;
  /** The cost-weighted mean cost of a call, E[c²] / E[c], micro-USD: how lumpy the spend is. */
  lumpUsdMicros: number;
}

/** The shortest window a burn rate is measured over: a shorter one holds too few calls to tell. */
export const MIN_RATE_WINDOW_SECS = 10;

/**
 * A label's live burn rate (micro-USD per second) between an earlier known spend (an aggregated
 * total and when it was written) and the spend now. Undefined when the window is shorter than
 * MIN_RATE_WINDOW_SECS (or the clock went back).
 */
export function burnRate(
  earlier: { costUsdMicros: number; at: Date },
  spendNow: number,
  now: Date,
): number | undefined {
  const secs = (now.getTime() - earlier.at.getTime()) / 1000;
  if (!(secs >= MIN_RATE_WINDOW_SECS)) return undefined;
  return Math.max(0, spendNow - earlier.costUsdMicros) / secs;
}

/**
 * The spend in flight that a label's status counts (micro-USD, rounded): the expected value
 * rate x lead plus one standard deviation. Calls arrive at random, so what is in flight is a
 * compound Poisson sum whose variance is its expected value times E[c²] / E[c]; counting one
 * standard deviation more makes an overrun from that randomness unlikely (about one cut-over in
 * six) and costs about as much quota left unused on average. 0 without an estimate.
 */
export function inFlightSpend(f: InFlight | undefined): number {
  if (!f || !(f.rateUsdMicrosPerSec > 0) || !(f.leadSecs > 0)) return 0;
  const expected = f.rateUsdMicrosPerSec * f.leadSecs;
  return Math.round(expected + Math.sqrt(expected * Math.max(0, f.lumpUsdMicros)));
}

/**
 * Seconds until spend plus the spend in flight reaches the limit at the current burn rate (0 when
 * it already does); undefined without an estimate: when a TIGHT label will turn EXCEEDED.
 */
export function secsToCutover(spend: number, limit: number, f: InFlight | undefined): number | undefined {
  if (!f || !(f.rateUsdMicrosPerSec > 0)) return undefined;
  return Math.max(0, (limit - spend - inFlightSpend(f)) / f.rateUsdMicrosPerSec);
}

/**
 * Seconds until spend reaches the TIGHT threshold at the current burn rate (0 when it already
 * has); undefined without a burn rate: when a NORMAL label will turn TIGHT.
 */
export function secsToTight(
  spend: number,
  limit: number,
  thresholdPct: number,
  f: InFlight | undefined,
): number | undefined {
  if (!f || !(f.rateUsdMicrosPerSec > 0)) return undefined;
  return Math.max(0, ((limit * thresholdPct) / 100 - spend) / f.rateUsdMicrosPerSec);
}

export interface ClientGuidance {
  checkFrequency: string;
  cacheDurationSecs: number;
  explanation: string;
}

/**
 * NORMAL -> check every normal interval, and the answer is cached for the same time, or less when
 * the label is predicted to turn TIGHT sooner (`tightInSecs`, see secsToTight): then it expires at
 * that instant, but not before one tight interval (a client holding NORMAL for the whole normal
 * interval would not hear of TIGHT, nor of the predicted cut-over, if it reports nothing meanwhile).
 * TIGHT -> every tight interval, and the answer is cached for the same time, or less when the label
 * is predicted to turn EXCEEDED sooner (`cutoverInSecs`, see secsToCutover): then it expires at that
 * instant (whole seconds, rounded down, at least 1).
 */
export function clientGuidance(
  mode: Mode,
  intervals: { refreshIntervalNormalSecs: number; refreshIntervalTightSecs: number },
  cutoverInSecs?: number,
  tightInSecs?: number,
): ClientGuidance {
  const tight = intervals.refreshIntervalTightSecs;
  if (mode === 'NORMAL') {
    const normal = intervals.refreshIntervalNormalSecs;
    const soon = tightInSecs !== undefined && tightInSecs < normal;
    const secs = soon ? Math.min(normal, Math.max(tight, Math.floor(tightInSecs))) : normal;
    return {
      checkFrequency: `PERIODIC_${normal}S`,
      cacheDurationSecs: secs,
      explanation:
        secs < normal
          ? `Quota is healthy, but the recommended model is predicted to reach the tight threshold in about ${secs} seconds: check again then.`
          : `Quota is healthy: check again every ${normal} seconds.`,
    };
  }
  const early = cutoverInSecs !== undefined && cutoverInSecs < tight;
  const secs = early ? Math.max(MIN_CACHE_SECS, Math.floor(cutoverInSecs)) : tight;
  return {
    checkFrequency: `PERIODIC_${tight}S`,
    cacheDurationSecs: secs,
    explanation: early
      ? `The recommended model is predicted to use up its daily quota in about ${secs} seconds, calls in flight included: check again then.`
      : `The recommended model is close to its daily quota: check again every ${tight} seconds.`,
  };
}

/** The shortest cache duration a TIGHT answer gets. */
export const MIN_CACHE_SECS = 1;
