import { createMemoryAdapters } from '#adapters-memory';
import { SelectionGuidance } from '#client';
import { type CostKeeper, QuotaExceededError, scopeKeyFor, type StorageAdapters } from '#core-domain';
import { EventQueue } from './event-queue.js';
import { FakeClock, testCostKeeper, testServiceConfig } from './kit.js';
import { Prng } from './prng.js';
import { drawTokens, type Scenario } from './scenario.js';

export interface RunOptions {
  /**
   * ON: the real use cases (selection reads live spend when the recommended label is within
   * LIVE_READ_MARGIN_PCT points of the TIGHT threshold, usage answers with live spend near the quota)
   * and the documented client rule: on a usage response for the label in use, EXCEEDED re-selects
   * at once with forceCheck, TIGHT re-selects at once (plainly) when the cached selection was made
   * in NORMAL mode. OFF: live spend is never read (the storage's spend reader drops `liveFor`) and
   * the clients are the old ones: no forceCheck, no reaction to TIGHT (they still re-select,
   * unforced, on EXCEEDED).
   */
  livePath: boolean;
  seed: number;
}

export interface OverrunPart {
  calls: number;
  usdMicros: number;
  /** Distinct clients that sent such calls. */
  clients: number;
}

export interface LabelOutcome {
  label: string;
  quotaUsdMicros: number;
  /** Final spend of the day: the aggregated total after a final aggregation pass (= shard counters). */
  spendUsdMicros: number;
  /**
   * The label was given up: the service answered EXCEEDED for it (a selection's model status, a
   * usage response, or "all quotas exceeded"), or the reported spend reached the quota, whichever
   * came first (that instant is the cut-over).
   */
  exhausted: boolean;
  overrunUsdMicros: number;
  /** max(0, spend - quota) / quota * 100; 0 when the label was not given up. */
  overrunPct: number;
  /** The quota left unused by a label given up: max(0, quota - spend) / quota * 100. */
  unusedPct: number;
  /** The cut-over: org local time, and seconds after local midnight. */
  exhaustedAt?: string;
  exhaustedAtSecs?: number;
  /** How the cut-over came: the service said EXCEEDED first, or the spend reached the quota first. */
  cutoverBy?: 'answer' | 'spend';
  /** Spend reported up to the cut-over (its last report included). */
  atCutoverUsdMicros: number;
  /** Calls started before the cut-over and reported after it. */
  inFlight: OverrunPart;
  /** Calls started on the label after the cut-over (the client had not learnt it yet). */
  startedAfter: OverrunPart;
  /** At the cut-over, clients whose cached selection was this label, by the mode it was cached in. */
  cachedAtExhaustion: { normal: number; tight: number };
  /** Seconds from the cut-over to the last usage report on the label. */
  lastReportAfterSecs?: number;
}

export interface SimulationStats {
  calls: number;
  selections: number;
  forcedSelections: number;
  /** Selections that read live spend (TIGHT path or forceCheck). */
  liveSelections: number;
  /** Usage responses with mode EXCEEDED for the label the client was using. */
  exceededResponses: number;
  /** Usage responses with mode TIGHT for the label in use while its selection was cached NORMAL (ON). */
  tightResponses: number;
  /** Selections answered "all quotas exceeded". */
  allExceeded: number;
  aggregatorPasses: number;
  events: number;
}

export interface SimulationResult {
  scenario: Scenario;
  livePath: boolean;
  seed: number;
  labels: LabelOutcome[];
  stats: SimulationStats;
}

interface Client {
  index: number;
  rng: Prng;
  ratePerSec: number;
  /**
   * The SDK's guidance loop (@bedrock-cost-keeper/client): the cached selection, the TIGHT and
   * EXCEEDED re-selection rules, the pause until retry_after. The simulator only feeds it answers.
   */
  guidance: SelectionGuidance;
  /** Bumped on every selection: a refresh timer of an older selection is ignored. */
  generation: number;
}

interface Call {
  requestId: string;
  label: string;
  modelId: string;
  startedAt: number;
  endedAt: number;
  /** Sent as latency_ms (ON clients; absent when the scenario says the clients do not send it). */
  latencyMs?: number;
  inputTokens: number;
  outputTokens: number;
}

type SimEvent =
  | { kind: 'start'; client: Client }
  | { kind: 'call'; client: Client }
  | { kind: 'report'; client: Client; call: Call }
  | { kind: 'refresh'; client: Client; generation: number }
  | { kind: 'aggregate' };

interface Track {
  quota: number;
  spend: number;
  exhaustedAt?: number;
  cutoverBy?: 'answer' | 'spend';
  atCutover: number;
  inFlight: { calls: number; usdMicros: number; clients: Set<number> };
  startedAfter: { calls: number; usdMicros: number; clients: Set<number> };
  cachedAtExhaustion: { normal: number; tight: number };
  lastReport?: number;
}

export const SIM_ORG_ID = '5e1a7c00-0000-4000-8000-000000000001';
export const SIM_APP_ID = 'sim';

/** The OFF variant's storage: the same adapters, but spend reads never return live (shard) spend. */
export function withoutLiveSpend(storage: StorageAdapters): StorageAdapters {
  return {
    ...storage,
    spend: { read: (query, now) => storage.spend.read({ ...query, liveFor: [] }, now) },
  };
}

const localTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * Runs one org day through the real use cases on the memory adapters. Virtual time only: a
 * FakeClock set from an event queue, never a timer or the wall clock.
 */
export async function runSimulation(scenario: Scenario, opts: RunOptions): Promise<SimulationResult> {
  const s = scenario;
  const dayStart = Date.parse(`${s.day}T00:00:00Z`);
  const trafficEnd = dayStart + s.trafficEndSecs * 1000;
  const simEnd = dayStart + 86_400_000 - 60_000;
  const clock = new FakeClock(new Date(dayStart - 3_600_000));
  const storage = createMemoryAdapters();
  const config = testServiceConfig();
  const keeper: CostKeeper = testCostKeeper({
    storage: opts.livePath ? storage : withoutLiveSpend(storage),
    clock,
    config,
    aggregation: { intervalSecs: s.aggregationIntervalSecs },
  });
  const orgId = SIM_ORG_ID;
  const appId = SIM_APP_ID;
  await keeper.provisioning.putOrg(orgId, {
    orgName: `simulation ${s.key}`,
    timezone: 'UTC',
    quotaScope: 'ORG',
    quotas: { ...s.quotas },
    ...(s.orgOverrides ? { overrides: { ...s.orgOverrides } } : {}),
  });
  await keeper.provisioning.putApp(orgId, appId, { appName: 'Simulated clients' });
  const scopeKey = scopeKeyFor('ORG', orgId, appId);
  const labels = Object.keys(s.quotas);

  const stats: SimulationStats = {
    calls: 0,
    selections: 0,
    forcedSelections: 0,
    liveSelections: 0,
    exceededResponses: 0,
    tightResponses: 0,
    allExceeded: 0,
    aggregatorPasses: 0,
    events: 0,
  };
  const tracks = new Map<string, Track>();
  for (const label of labels) {
    tracks.set(label, {
      quota: s.quotas[label]!,
      spend: 0,
      atCutover: 0,
      inFlight: { calls: 0, usdMicros: 0, clients: new Set() },
      startedAfter: { calls: 0, usdMicros: 0, clients: new Set() },
      cachedAtExhaustion: { normal: 0, tight: 0 },
    });
  }

  const queue = new EventQueue<SimEvent>();
  const clients: Client[] = [];
  for (let i = 0; i < s.clients; i++) {
    const rng = new Prng(opts.seed, i + 1);
    // Log-normal rate weights with mean 1, so the org's total rate does not depend on the spread.
    const sigma = s.clientRateSigma;
    const weight = Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
    const client: Client = {
      index: i,
      rng,
      ratePerSec: s.callRatePerClient * weight,
      // ON: the documented client rules; OFF: the old client (no forceCheck, no reaction to TIGHT).
      guidance: new SelectionGuidance({
        forceOnExceeded: opts.livePath,
        reselectOnTight: opts.livePath && (s.client?.reselectOnTight ?? true),
        forceWhenTight: opts.livePath && !!s.client?.forceWhenTight,
        ...(s.client?.tightCacheSecs !== undefined ? { tightCacheSecs: s.client.tightCacheSecs } : {}),
      }),
      generation: 0,
    };
    clients.push(client);
    queue.push(dayStart + (s.trafficStartSecs + rng.uniform(0, 300)) * 1000, { kind: 'start', client });
  }
  for (
    let t = dayStart + s.aggregationIntervalSecs * 1000;
    t < simEnd;
    t += s.aggregationIntervalSecs * 1000
  ) {
    queue.push(t, { kind: 'aggregate' });
  }

  /** The next call of a client after `from` (a Poisson process thinned by the load profile). */
  const nextCallAt = (c: Client, from: number): number | undefined => {
    let t = from;
    for (;;) {
      t += c.rng.exp(1000 / c.ratePerSec);
      if (t > trafficEnd) return undefined;
      const load = s.loadProfile ? s.loadProfile((t - dayStart) / 1000) : 1;
      if (load >= 1 || c.rng.next() < load) return t;
    }
  };
  const scheduleNextCall = (c: Client, from: number) => {
    const at = nextCallAt(c, from);
    if (at !== undefined) queue.push(at, { kind: 'call', client: c });
  };

  /** The first EXCEEDED answer for a label, or its reported spend reaching the quota: the cut-over. */
  const cutover = (label: string, now: number, by: 'answer' | 'spend') => {
    const track = tracks.get(label);
    if (!track || track.exhaustedAt !== undefined) return;
    track.exhaustedAt = now;
    track.cutoverBy = by;
    track.atCutover = track.spend;
    for (const other of clients) {
      const cached = other.guidance.current;
      if (cached?.label !== label) continue;
      if (cached.mode === 'TIGHT') track.cachedAtExhaustion.tight++;
      else track.cachedAtExhaustion.normal++;
    }
  };

  const select = async (c: Client, force: boolean): Promise<void> => {
    const now = clock.now().getTime();
    stats.selections++;
    if (force) stats.forcedSelections++;
    c.generation++;
    try {
      const sel = await keeper.selectModel.execute(orgId, appId, { forceCheck: force });
      if (sel.usedLiveSpend) stats.liveSelections++;
      for (const [label, m] of Object.entries(sel.quotaStatus.modelsStatus)) {
        if (m.status === 'EXCEEDED') cutover(label, now, 'answer');
      }
      const cached = c.guidance.selected(
        {
          label: sel.recommended.label,
          bedrockModelId: sel.recommended.bedrockModelId,
          mode: sel.quotaStatus.mode,
          cacheDurationSecs: sel.guidance.cacheDurationSecs,
        },
        now,
      );
      if (s.refresh === 'timer' && cached.cacheDurationSecs > 0) {
        queue.push(cached.expiresAt, { kind: 'refresh', client: c, generation: c.generation });
      }
    } catch (e) {
      if (!(e instanceof QuotaExceededError)) throw e;
      for (const label of labels) cutover(label, now, 'answer');
      // Every quota is exhausted: a good client pauses until retry_after (the next local midnight).
      stats.allExceeded++;
      c.guidance.exhausted(Date.parse(e.retryAfter));
      const until = c.guidance.exhaustedUntil;
      if (s.refresh === 'timer' && until < trafficEnd) {
        queue.push(until, { kind: 'refresh', client: c, generation: c.generation });
      }
    }
  };

  const startCall = async (c: Client, now: number): Promise<void> => {
    const decision = c.guidance.decide(now);
    if (decision.action === 'wait') {
      scheduleNextCall(c, decision.until);
      return;
    }
    // A timer client's cache never expires before its refresh runs, except a zero-length cache.
    if (decision.action === 'select') await select(c, decision.force);
    const current = c.guidance.current;
    if (!current) {
      scheduleNextCall(c, c.guidance.exhaustedUntil);
      return;
    }
    const { label, bedrockModelId: modelId } = current;
    const tokens = drawTokens(c.rng, s);
    const firstToken = c.rng.lognormal(s.firstTokenSecs.median, s.firstTokenSecs.sigma);
    const durationSecs = firstToken + tokens.outputTokens / (s.outputTokensPerSec[label] ?? 100);
    const endedAt = now + Math.round(durationSecs * 1000);
    const call: Call = { requestId: c.rng.uuid(), label, modelId, startedAt: now, endedAt, ...tokens };
    if (opts.livePath && s.client?.sendLatency !== false) call.latencyMs = endedAt - now;
    stats.calls++;
    queue.push(endedAt + Math.round(c.rng.uniform(0, s.reportDelayMaxSecs) * 1000), {
      kind: 'report',
      client: c,
      call,
    });
    scheduleNextCall(c, now);
  };

  const report = async (c: Client, call: Call, now: number): Promise<void> => {
    const result = await keeper.recordUsage.execute(orgId, appId, {
      requestId: call.requestId,
      modelLabel: call.label,
      bedrockModelId: call.modelId,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      status: 'OK',
      // As the SDK's Bedrock helper sends it: the call's start (with latency_ms, its duration).
      timestamp: new Date(call.startedAt).toISOString(),
      ...(call.latencyMs !== undefined ? { latencyMs: call.latencyMs } : {}),
    });
    const track = tracks.get(call.label)!;
    if (!result.duplicate) {
      const cost = result.costUsdMicros;
      if (track.exhaustedAt === undefined) {
        track.spend += cost;
        if (track.spend >= track.quota) cutover(call.label, now, 'spend');
      } else {
        track.spend += cost;
        const part = call.startedAt < track.exhaustedAt ? track.inFlight : track.startedAfter;
        part.calls++;
        part.usdMicros += cost;
        part.clients.add(c.index);
        track.lastReport = now;
      }
    }
    if (result.quotaStatus.mode === 'EXCEEDED') cutover(call.label, now, 'answer');
    // The client rule (the SDK's SelectionGuidance.usage): a usage response about the label in use
    // may say re-select now. EXCEEDED: at once, with forceCheck (OFF: the old client, unforced).
    // TIGHT (ON only): when the cached selection was made in NORMAL mode, a plain selection at once
    // (it reads live spend near the quota), so the client moves to the tight interval without
    // waiting for its 300 s cache.
    const reaction = c.guidance.usage(call.label, result.quotaStatus.mode);
    if (reaction.action !== 'reselect') return;
    if (reaction.cause === 'EXCEEDED') stats.exceededResponses++;
    else stats.tightResponses++;
    await select(c, reaction.force);
  };

  for (;;) {
    const ev = queue.pop();
    if (!ev) break;
    if (ev.at > simEnd) throw new Error(`event after the end of the simulated day: ${ev.item.kind}`);
    clock.set(new Date(ev.at));
    stats.events++;
    const e = ev.item;
    switch (e.kind) {
      case 'start':
        await select(e.client, false);
        scheduleNextCall(e.client, ev.at);
        break;
      case 'call':
        await startCall(e.client, ev.at);
        break;
      case 'report':
        await report(e.client, e.call, ev.at);
        break;
      case 'refresh':
        if (e.generation === e.client.generation && ev.at < trafficEnd) await select(e.client, false);
        break;
      case 'aggregate':
        await keeper.aggregator.runPass();
        stats.aggregatorPasses++;
        break;
    }
  }

  // End of day: one final aggregation pass, then the day's spend from the aggregated totals.
  clock.set(new Date(simEnd));
  await keeper.aggregator.runPass();
  stats.aggregatorPasses++;
  const totals = await storage.totals.forScopeDay(scopeKey, s.day);
  const { aggShardCount } = (await keeper.configs.appContext(orgId, appId)).effective;
  const live = await storage.spend.read(
    { scopeKey, day: s.day, totalsFor: [], liveFor: labels, shardCount: aggShardCount, withSticky: false },
    clock.now(),
  );

  const outcomes: LabelOutcome[] = labels.map((label) => {
    const track = tracks.get(label)!;
    const spend = totals.find((t) => t.label === label)?.costUsdMicros ?? 0;
    const liveSpend = live.live.get(label)?.costUsdMicros ?? 0;
    if (spend !== track.spend || liveSpend !== track.spend) {
      throw new Error(
        `${label}: aggregated ${spend}, shard counters ${liveSpend} and reported ${track.spend} differ`,
      );
    }
    const exhausted = track.exhaustedAt !== undefined;
    const overrun = exhausted ? Math.max(0, spend - track.quota) : 0;
    const unused = exhausted ? Math.max(0, track.quota - spend) : 0;
    const pctOf = (v: number) => (track.quota > 0 ? (v / track.quota) * 100 : 0);
    const out: LabelOutcome = {
      label,
      quotaUsdMicros: track.quota,
      spendUsdMicros: spend,
      exhausted,
      overrunUsdMicros: overrun,
      overrunPct: pctOf(overrun),
      unusedPct: pctOf(unused),
      atCutoverUsdMicros: track.atCutover,
      inFlight: { ...track.inFlight, clients: track.inFlight.clients.size },
      startedAfter: { ...track.startedAfter, clients: track.startedAfter.clients.size },
      cachedAtExhaustion: track.cachedAtExhaustion,
    };
    if (track.cutoverBy) out.cutoverBy = track.cutoverBy;
    if (track.exhaustedAt !== undefined) {
      out.exhaustedAt = localTime(track.exhaustedAt);
      out.exhaustedAtSecs = (track.exhaustedAt - dayStart) / 1000;
      if (track.lastReport !== undefined)
        out.lastReportAfterSecs = (track.lastReport - track.exhaustedAt) / 1000;
    }
    return out;
  });
  return { scenario: s, livePath: opts.livePath, seed: opts.seed, labels: outcomes, stats };
}
