/** Status of one label on one org day. */
export type LabelStatus = 'NORMAL' | 'TIGHT' | 'EXCEEDED';
/** The scope's mode: the status of the recommended model, TIGHT or NORMAL. */
export type Mode = 'NORMAL' | 'TIGHT';

/**
 * EXCEEDED when spend >= quota (a quota of 0 is always exceeded), TIGHT when
 * spend / quota * 100 >= threshold, NORMAL otherwise. Integer math, no floats.
 */
export function labelStatus(spend: number, quota: number, thresholdPct: number): LabelStatus {
  if (spend >= quota) return 'EXCEEDED';
  if (BigInt(spend) * 100n >= BigInt(thresholdPct) * BigInt(quota)) return 'TIGHT';
  return 'NORMAL';
}

/** Percentage of quota with one decimal. A quota of 0 reads as 100.0. */
export function quotaPct(spend: number, quota: number): number {
  if (quota <= 0) return 100;
  return Math.round((spend * 1000) / quota) / 10;
}

export interface ClientGuidance {
  checkFrequency: string;
  cacheDurationSecs: number;
  explanation: string;
}

/** NORMAL -> check every normal interval; TIGHT -> every tight interval; cache for the same time. */
export function clientGuidance(
  mode: Mode,
  intervals: { refreshIntervalNormalSecs: number; refreshIntervalTightSecs: number },
): ClientGuidance {
  const secs = mode === 'TIGHT' ? intervals.refreshIntervalTightSecs : intervals.refreshIntervalNormalSecs;
  return {
    checkFrequency: `PERIODIC_${secs}S`,
    cacheDurationSecs: secs,
    explanation:
      mode === 'TIGHT'
        ? `The recommended model is close to its daily quota: check again every ${secs} seconds.`
        : `Quota is healthy: check again every ${secs} seconds.`,
  };
}
