import { costMicros, type LabelPrice } from '#core-domain';
import { Prng } from './prng.js';

/** A log-normal size, clipped to [min, max]. */
export interface SizeShape {
  median: number;
  sigma: number;
  min: number;
  max: number;
}

/**
 * One simulated org day. The org is in UTC, in ORG quota scope, with the default settings (tight
 * threshold 95 %, 8 shards, sticky fallback on, refresh 300 s / 60 s) unless `orgOverrides` says
 * otherwise; all clients belong to one app of that org.
 */
export interface Scenario {
  key: string;
  title: string;
  clients: number;
  /** The org day (UTC). */
  day: string;
  /** Seconds after local midnight when the first client starts (clients start over the next 300 s). */
  trafficStartSecs: number;
  /** No call starts after this (seconds after local midnight). */
  trafficEndSecs: number;
  /** Mean calls per second of an average client at full load. */
  callRatePerClient: number;
  /** Load over the day, a multiplier in [0, 1] of `callRatePerClient`; constant 1 when absent. */
  loadProfile?: (secsOfDay: number) => number;
  /** Log-space spread of the per-client rate (0: every client has the same rate). */
  clientRateSigma: number;
  inputTokens: SizeShape;
  outputTokens: SizeShape;
  /** Time to first token, seconds. */
  firstTokenSecs: { median: number; sigma: number };
  /** Output tokens per second, per label. */
  outputTokensPerSec: Record<string, number>;
  /** The usage report is sent this long after the Bedrock call ends: uniform in [0, max]. */
  reportDelayMaxSecs: number;
  aggregationIntervalSecs: number;
  /**
   * How a client keeps its selection fresh. `timer`: it re-selects when the cached selection
   * expires (a background refresh). `on-demand`: an HTTP-cache style client re-selects only when it
   * needs a model and the cached one is older than the cache duration.
   */
  refresh: 'timer' | 'on-demand';
  quotas: Record<string, number>;
  /**
   * What-if client behaviours (absent: the documented client rule). `tightCacheSecs` replaces the
   * cache duration of a TIGHT selection (0: re-select before every call while TIGHT);
   * `forceWhenTight`: re-selecting from a TIGHT selection uses forceCheck (live path ON only);
   * `reselectOnTight: false`: the client before the TIGHT rule (a usage response that says TIGHT
   * while the selection is cached NORMAL is ignored; EXCEEDED still re-selects with forceCheck);
   * `sendLatency: false`: usage events without `latency_ms`.
   */
  client?: {
    tightCacheSecs?: number;
    forceWhenTight?: boolean;
    reselectOnTight?: boolean;
    /** false: the clients do not send `latency_ms` (no in-flight estimate); ON clients send it by default. */
    sendLatency?: boolean;
  };
  orgOverrides?: { refreshIntervalTightSecs?: number; tightModeThresholdPct?: number };
}

/** The overrun the live path stays under, every scenario and label, percent of quota. */
export const OVERRUN_TARGET_PCT = 0.5;
/** At most this much of a quota is left unused when a label is given up (percent of quota). */
export const UNUSED_BOUND_PCT = 1;

export const DEFAULT_QUOTAS = { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 };
export const DAY = '2026-03-10';
const HOUR = 3600;

/** A chat / agent style call: about 1,500 tokens in and 300 out, with long tails. */
const INPUT: SizeShape = { median: 1500, sigma: 0.7, min: 50, max: 30_000 };
const OUTPUT: SizeShape = { median: 300, sigma: 0.6, min: 10, max: 4000 };

function draw(rng: Prng, s: SizeShape): number {
  return Math.min(s.max, Math.max(s.min, Math.round(rng.lognormal(s.median, s.sigma))));
}

/** Token counts of one call. */
export function drawTokens(rng: Prng, s: Pick<Scenario, 'inputTokens' | 'outputTokens'>) {
  return { inputTokens: draw(rng, s.inputTokens), outputTokens: draw(rng, s.outputTokens) };
}

/** Mean cost (micro-USD) of one call at a price, by sampling (fixed seed: deterministic). */
export function meanCallCost(s: Pick<Scenario, 'inputTokens' | 'outputTokens'>, price: LabelPrice): number {
  const rng = new Prng(0x5eed, 999_999);
  const n = 20_000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += costMicros(drawTokens(rng, s), price);
  return sum / n;
}

/** The per-client rate that spends `quota` in `secs` when every call goes to the label priced `price`. */
export function rateToExhaust(quota: number, secs: number, clients: number, meanCost: number): number {
  return quota / (secs * clients * meanCost);
}

function base(): Omit<Scenario, 'key' | 'title' | 'clients' | 'callRatePerClient'> {
  return {
    day: DAY,
    trafficStartSecs: 8 * HOUR,
    trafficEndSecs: 23 * HOUR + 45 * 60,
    clientRateSigma: 0.5,
    inputTokens: INPUT,
    outputTokens: OUTPUT,
    firstTokenSecs: { median: 0.5, sigma: 0.4 },
    outputTokensPerSec: { premium: 90, standard: 150, economy: 220 },
    reportDelayMaxSecs: 1,
    aggregationIntervalSecs: 60,
    refresh: 'timer',
    quotas: { ...DEFAULT_QUOTAS },
  };
}

/**
 * (a) / (b): `clients` clients at a constant rate that exhausts the $10 premium quota about
 * `exhaustSecs` after the traffic starts; the day then goes on on standard and economy.
 */
export function burstScenario(
  prices: Record<string, LabelPrice>,
  opts: { key: string; title: string; clients: number; exhaustSecs: number },
): Scenario {
  const b = base();
  const mean = meanCallCost(b, prices['premium']!);
  return {
    ...b,
    key: opts.key,
    title: opts.title,
    clients: opts.clients,
    // Clients start spread over 300 s: on average 150 s of the target is spent ramping up.
    callRatePerClient: rateToExhaust(b.quotas['premium']!, opts.exhaustSecs, opts.clients, mean),
  };
}

/** Office hours: 5 % at night, ramps 06-09 h, full 09-17 h, down to 15 % by 21 h. */
export function officeHours(secsOfDay: number): number {
  const h = secsOfDay / HOUR;
  if (h < 6) return 0.05;
  if (h < 9) return 0.05 + (0.95 * (h - 6)) / 3;
  if (h < 17) return 1;
  if (h < 21) return 1 - (0.85 * (h - 17)) / 4;
  return 0.05 + 0.1 * Math.max(0, (24 - h) / 3);
}

/**
 * (c): 500 clients over a whole day with office-hours load and a wide spread of client rates.
 * The day's volume is 1.2 times what exhausts all three labels, so economy runs out in the evening.
 */
export function dayScenario(
  prices: Record<string, LabelPrice>,
  opts: { key: string; title: string; clients: number },
): Scenario {
  const b = base();
  let callsToExhaustAll = 0;
  for (const [label, quota] of Object.entries(b.quotas)) {
    callsToExhaustAll += quota / meanCallCost(b, prices[label]!);
  }
  let loadSecs = 0;
  for (let t = 0; t < 86_400; t += 60) loadSecs += officeHours(t + 30) * 60;
  return {
    ...b,
    key: opts.key,
    title: opts.title,
    clients: opts.clients,
    trafficStartSecs: 0,
    clientRateSigma: 1,
    loadProfile: officeHours,
    callRatePerClient: (1.2 * callsToExhaustAll) / (opts.clients * loadSecs),
  };
}

/** The same scenario with traffic stopping `hours` after it starts (enough for premium-only questions). */
export function firstHours(scenario: Scenario, hours: number): Scenario {
  return { ...scenario, trafficEndSecs: scenario.trafficStartSecs + hours * HOUR };
}
