import { type LabelOutcome, type SimulationResult } from './simulator.js';

const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(2)}`;
const pct = (v: number) => `${v.toFixed(2)}%`;
const int = (v: number) => v.toLocaleString('en-US');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Spend at the cut-over, as a percentage of the quota (two decimals). */
function atCutoverPct(l: LabelOutcome): string {
  return pct((l.atCutoverUsdMicros / l.quotaUsdMicros) * 100);
}

function split(l: LabelOutcome): string {
  return `${int(l.inFlight.usdMicros)} / ${int(l.startedAfter.usdMicros)}`;
}

function overrunCells(l: LabelOutcome): string[] {
  if (!l.exhausted) return ['not exhausted', '', '', '', '', '', '', ''];
  return [
    pct(l.overrunPct),
    pct(l.unusedPct),
    `${usd(l.spendUsdMicros)} / ${usd(l.quotaUsdMicros)}`,
    `${l.exhaustedAt ?? ''} (${l.cutoverBy === 'answer' ? 'answer' : 'spend'})`,
    atCutoverPct(l),
    `${l.inFlight.calls} / ${l.startedAfter.calls} (${l.startedAfter.clients} clients)`,
    split(l),
    `${l.cachedAtExhaustion.normal} / ${l.cachedAtExhaustion.tight}`,
  ];
}

/** A markdown table of one scenario: each exhausted label, live path ON and OFF. */
export function scenarioTable(runs: SimulationResult[]): string {
  const first = runs[0]!;
  const s = first.scenario;
  const lines = [
    `### (${s.key}) ${s.title}`,
    '',
    `${s.clients} clients, ${s.refresh === 'timer' ? 'timer refresh' : 'on-demand refresh'}, ` +
      `aggregation every ${s.aggregationIntervalSecs} s, seed ${first.seed}`,
    '',
    row([
      'label',
      'live path',
      'overrun',
      'unused',
      'spend / quota',
      'cut-over at (by)',
      'spend at cut-over',
      'calls after: in flight / started after',
      'µUSD after: in flight / started after',
      'cached at cut-over: NORMAL / TIGHT',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  const labels = first.labels.map((l) => l.label);
  for (const label of labels) {
    for (const run of runs) {
      const l = run.labels.find((x) => x.label === label)!;
      lines.push(row([label, run.livePath ? 'ON' : 'OFF', ...overrunCells(l)]));
    }
  }
  lines.push('');
  for (const run of runs) {
    const st = run.stats;
    lines.push(
      `- live path ${run.livePath ? 'ON' : 'OFF'}: ${int(st.calls)} calls, ${int(st.selections)} selections ` +
        (run.livePath
          ? `(${int(st.forcedSelections)} forced, ${int(st.liveSelections)} read live spend), `
          : '(none forced, live spend never read), ') +
        `${int(st.exceededResponses)} EXCEEDED usage responses acted on, ` +
        (run.livePath ? `${int(st.tightResponses)} TIGHT ones (cached NORMAL), ` : '') +
        `${int(st.allExceeded)} "all quotas exceeded" answers, ${int(st.aggregatorPasses)} aggregation passes`,
    );
  }
  return lines.join('\n');
}

/** The largest overrun (percent of quota) of any exhausted label of the given runs. */
export function maxOverrunPct(runs: SimulationResult[]): number {
  let max = 0;
  for (const run of runs) for (const l of run.labels) if (l.exhausted) max = Math.max(max, l.overrunPct);
  return max;
}

/** The largest quota left unused (percent of quota) by any label given up in the given runs. */
export function maxUnusedPct(runs: SimulationResult[]): number {
  let max = 0;
  for (const run of runs) for (const l of run.labels) if (l.exhausted) max = Math.max(max, l.unusedPct);
  return max;
}

/** One row per what-if variant of a scenario (live path ON), for one label. */
export function whatIfTable(label: string, variants: Array<{ name: string; run: SimulationResult }>): string {
  const lines = [
    row([
      'variant',
      'overrun',
      'unused',
      'spend at cut-over',
      'calls after: in flight / started after',
      'µUSD after: in flight / started after',
      'selections',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const { name, run } of variants) {
    const l = run.labels.find((x) => x.label === label)!;
    lines.push(
      row([
        name,
        l.exhausted ? pct(l.overrunPct) : 'not exhausted',
        l.exhausted ? pct(l.unusedPct) : '',
        l.exhausted ? atCutoverPct(l) : '',
        `${l.inFlight.calls} / ${l.startedAfter.calls}`,
        split(l),
        int(run.stats.selections),
      ]),
    );
  }
  return lines.join('\n');
}

/** Min / mean / max of one label's overrun over several seeds, one row per (scenario, live path). */
export function seedSpreadTable(
  label: string,
  rows: Array<{ name: string; runs: SimulationResult[] }>,
): string {
  const lines = [
    row(['scenario', 'live path', 'min', 'mean', 'max', 'per seed']),
    row(['---', '---', '---:', '---:', '---:', '---']),
  ];
  for (const { name, runs } of rows) {
    const values = runs.map((r) => r.labels.find((x) => x.label === label)!.overrunPct);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    lines.push(
      row([
        name,
        runs[0]!.livePath ? 'ON' : 'OFF',
        pct(Math.min(...values)),
        pct(mean),
        pct(Math.max(...values)),
        values.map((v) => v.toFixed(2)).join(' '),
      ]),
    );
  }
  return lines.join('\n');
}

/**
 * Every label of each scenario over several seeds: overrun and unused quota (min / mean / max) and,
 * per seed, the final spend minus the quota in percent (+ overrun, - unused).
 */
export function spreadTable(rows: Array<{ name: string; runs: SimulationResult[] }>): string {
  const lines = [
    row([
      'scenario',
      'label',
      'given up',
      'overrun: mean / max',
      'unused: mean / max',
      'spend - quota, per seed',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---']),
  ];
  for (const { name, runs } of rows) {
    for (const label of runs[0]!.labels.map((l) => l.label)) {
      const outcomes = runs.map((r) => r.labels.find((x) => x.label === label)!);
      const given = outcomes.filter((l) => l.exhausted);
      const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
      const over = given.map((l) => l.overrunPct);
      const unused = given.map((l) => l.unusedPct);
      lines.push(
        row([
          name,
          label,
          `${given.length} / ${outcomes.length}`,
          `${pct(mean(over))} / ${pct(Math.max(0, ...over))}`,
          `${pct(mean(unused))} / ${pct(Math.max(0, ...unused))}`,
          outcomes
            .map((l) =>
              l.exhausted
                ? l.overrunPct > 0
                  ? `+${l.overrunPct.toFixed(2)}`
                  : `-${l.unusedPct.toFixed(2)}`
                : 'n/a',
            )
            .join(' '),
        ]),
      );
    }
  }
  return lines.join('\n');
}
