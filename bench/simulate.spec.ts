import { beforeAll, describe, expect, it } from '@jest/globals';
import { testServiceConfig } from './simulation/kit.js';
import { burstScenario, firstHours, OVERRUN_TARGET_PCT, UNUSED_BOUND_PCT } from './simulation/scenario.js';
import { runSimulation, type LabelOutcome, type SimulationResult } from './simulation/simulator.js';

// Scenario (a): 50 clients spend the $10 premium quota in about one hour; (b) in about ten minutes.
// Traffic stops two hours after it starts (premium's figures equal the full day's: the rest of the
// day is on other labels). The 0.5 % overrun target and the 1 % bound on quota left unused are
// asserted on the full scenarios (50 clients, default settings, clients sending latency_ms) and on a
// reduced (a) (10 clients) that runs the other checks faster. `npm run simulate` checks 12 seeds.
const SEED = 20260310;
const prices = Object.fromEntries(Object.entries(testServiceConfig().labels).map(([k, v]) => [k, v.price]));
const burst = (key: string, clients: number, exhaustSecs: number) =>
  firstHours(burstScenario(prices, { key, title: `(${key}) ${clients} clients`, clients, exhaustSecs }), 2);
const scenarioA = (clients: number) => burst(`a-${clients}`, clients, 3600);
const premium = (run: SimulationResult): LabelOutcome => run.labels.find((l) => l.label === 'premium')!;

describe('overrun simulation (reduced scenario a: 10 clients)', () => {
  const scenario = scenarioA(10);
  let on: SimulationResult;
  let off: SimulationResult;

  beforeAll(async () => {
    on = await runSimulation(scenario, { livePath: true, seed: SEED });
    off = await runSimulation(scenario, { livePath: false, seed: SEED });
  }, 60_000);

  it('runs the day with the live path ON and OFF; premium is exhausted in about one hour', () => {
    for (const run of [on, off]) {
      const p = premium(run);
      expect(p.exhausted).toBe(true);
      // Traffic starts at 08:00 (clients join over 5 minutes): exhausted between 08:45 and 09:20.
      expect(p.exhaustedAtSecs!).toBeGreaterThan(8.75 * 3600);
      expect(p.exhaustedAtSecs!).toBeLessThan(9.34 * 3600);
    }
    // The two variants really differ: only ON forces checks, reads live spend and acts on TIGHT.
    expect(on.stats.forcedSelections).toBeGreaterThan(0);
    expect(on.stats.liveSelections).toBeGreaterThan(0);
    expect(off.stats.forcedSelections).toBe(0);
    expect(off.stats.tightResponses).toBe(0);
  });

  it('keeps the premium overrun under the target with the live path ON, and OFF is not better', () => {
    const onPct = premium(on).overrunPct;
    const offPct = premium(off).overrunPct;
    expect(onPct).toBeLessThan(OVERRUN_TARGET_PCT);
    expect(premium(on).unusedPct).toBeLessThanOrEqual(UNUSED_BOUND_PCT);
    expect(offPct).toBeGreaterThanOrEqual(onPct);
  });

  it('explains every micro-USD: spend at the cut-over, calls in flight, calls started after', () => {
    for (const run of [on, off]) {
      for (const l of run.labels.filter((x) => x.exhausted)) {
        expect(l.atCutoverUsdMicros + l.inFlight.usdMicros + l.startedAfter.usdMicros).toBe(l.spendUsdMicros);
        expect(l.overrunUsdMicros).toBe(Math.max(0, l.spendUsdMicros - l.quotaUsdMicros));
        expect(l.unusedPct).toBe(
          Math.max(0, ((l.quotaUsdMicros - l.spendUsdMicros) / l.quotaUsdMicros) * 100),
        );
      }
    }
    // OFF has no in-flight estimate: its labels are given up when their spend reaches the quota.
    for (const l of off.labels.filter((x) => x.exhausted)) expect(l.unusedPct).toBe(0);
  });

  it('is deterministic: the same seed gives the same day', async () => {
    const again = await runSimulation(scenario, { livePath: true, seed: SEED });
    expect(again.labels).toEqual(on.labels);
    expect(again.stats).toEqual(on.stats);
  }, 60_000);
});

describe('overrun simulation (full scenario a: 50 clients)', () => {
  const scenario = scenarioA(50);
  let on: SimulationResult;
  let off: SimulationResult;

  beforeAll(async () => {
    on = await runSimulation(scenario, { livePath: true, seed: SEED });
    off = await runSimulation(scenario, { livePath: false, seed: SEED });
  }, 60_000);

  it('the TIGHT rule moves the clients to the tight interval before the quota runs out', () => {
    expect(on.stats.tightResponses).toBeGreaterThan(0);
    // OFF (no TIGHT rule, aggregated totals only): 23 of 50 clients still cached NORMAL at exhaustion.
    expect(premium(off).cachedAtExhaustion.normal).toBeGreaterThan(10);
    expect(premium(on).cachedAtExhaustion.normal).toBeLessThanOrEqual(2);
  });

  it('meets the 0.5 % target and the 1 % unused bound with the live path ON, under half of OFF', () => {
    const onPct = premium(on).overrunPct;
    const offPct = premium(off).overrunPct;
    expect(onPct).toBeLessThanOrEqual(OVERRUN_TARGET_PCT);
    expect(premium(on).unusedPct).toBeLessThanOrEqual(UNUSED_BOUND_PCT);
    expect(onPct).toBeLessThan(offPct / 2);
  });
});

describe('overrun simulation (full scenario b: the ten-minute burn)', () => {
  const scenario = burst('b', 50, 600);
  let on: SimulationResult;
  let noLatency: SimulationResult;

  beforeAll(async () => {
    on = await runSimulation(scenario, { livePath: true, seed: SEED });
    noLatency = await runSimulation(
      { ...scenario, client: { sendLatency: false } },
      { livePath: true, seed: SEED },
    );
  }, 60_000);

  it('with latency_ms every label is given up in time: overrun <= 0.5 %, unused <= 1 %', () => {
    for (const l of on.labels) {
      expect(l.exhausted).toBe(true);
      expect(l.overrunPct).toBeLessThanOrEqual(OVERRUN_TARGET_PCT);
      expect(l.unusedPct).toBeLessThanOrEqual(UNUSED_BOUND_PCT);
    }
    // The service gave premium up (an EXCEEDED answer) before its spend reached the quota.
    expect(premium(on).cutoverBy).toBe('answer');
    expect(premium(on).atCutoverUsdMicros).toBeLessThan(premium(on).quotaUsdMicros);
  });

  it('without latency_ms (no in-flight estimate) the calls in flight alone overrun the target', () => {
    const p = premium(noLatency);
    expect(p.inFlight.usdMicros / p.quotaUsdMicros).toBeGreaterThan(OVERRUN_TARGET_PCT / 100);
    expect(p.overrunPct).toBeGreaterThan(OVERRUN_TARGET_PCT);
    expect(p.overrunPct).toBeGreaterThan(premium(on).overrunPct);
  });
});
