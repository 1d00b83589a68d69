import { describe, expect, it } from '@jest/globals';
import { CALL_DECAY, CallFlow, MAX_FLOWS, MAX_REPORT_DELAY_SECS, RATE_WINDOW_SECS } from './call-flow.js';

const T0 = Date.parse('2026-03-10T08:00:00Z');
const at = (secs: number) => new Date(T0 + secs * 1000);
const SCOPE = 'ORG#o';

describe('CallFlow: what a process learns of call lead times and burn rates', () => {
  it('nothing is estimated before a latency_ms event (the label turns EXCEEDED at its quota)', () => {
    const flow = new CallFlow();
    expect(flow.leadSecs(SCOPE, 'premium')).toBeUndefined();
    expect(flow.inFlight(SCOPE, 'premium', { costUsdMicros: 0, at: at(0) }, 1_000, at(30))).toBeUndefined();
  });

  it('lead time = max(latency, receipt - timestamp): the timestamp may be the call start or its end', () => {
    const flow = new CallFlow();
    // Timestamp = start (the SDK's Bedrock helper): 4 s of call, reported 0.5 s later.
    flow.observeCall(SCOPE, 'a', { costUsdMicros: 100, latencyMs: 4000, timestamp: at(0) }, at(4.5));
    expect(flow.leadSecs(SCOPE, 'a')).toBeCloseTo(4.5, 9);
    // Timestamp = end: the latency alone.
    flow.observeCall(SCOPE, 'b', { costUsdMicros: 100, latencyMs: 4000, timestamp: at(4) }, at(4.5));
    expect(flow.leadSecs(SCOPE, 'b')).toBeCloseTo(4, 9);
    // A skewed or very old timestamp counts at most MAX_REPORT_DELAY_SECS beyond the latency.
    flow.observeCall(SCOPE, 'c', { costUsdMicros: 100, latencyMs: 1000, timestamp: at(-3600) }, at(0));
    expect(flow.leadSecs(SCOPE, 'c')).toBeCloseTo(1 + MAX_REPORT_DELAY_SECS, 9);
  });

  it('the mean lead time is weighted by cost (an expensive long call weighs more)', () => {
    const flow = new CallFlow();
    flow.observeCall(SCOPE, 'p', { costUsdMicros: 1_000, latencyMs: 2000, timestamp: at(0) }, at(2));
    flow.observeCall(SCOPE, 'p', { costUsdMicros: 3_000, latencyMs: 10_000, timestamp: at(0) }, at(10));
    const lead = flow.leadSecs(SCOPE, 'p')!;
    // (d x 1,000 x 2 + 3,000 x 10) / (d x 1,000 + 3,000), d = CALL_DECAY: about 8 s, not the plain 6 s.
    const d = CALL_DECAY;
    expect(lead).toBeCloseTo((d * 1000 * 2 + 3000 * 10) / (d * 1000 + 3000), 9);
    expect(lead).toBeGreaterThan(7.9);
  });

  it('the burn rate runs from the oldest aggregated total seen in the last RATE_WINDOW_SECS to live spend now', () => {
    const flow = new CallFlow();
    flow.observeCall(SCOPE, 'p', { costUsdMicros: 5_000, latencyMs: 5000, timestamp: at(0) }, at(5));
    // A total written at 0 s, seen at 30 s: 480,000 more live = 16,000/s.
    const f1 = flow.inFlight(SCOPE, 'p', { costUsdMicros: 9_000_000, at: at(0) }, 9_480_000, at(30))!;
    expect(f1.rateUsdMicrosPerSec).toBe(16_000);
    expect(f1.leadSecs).toBeCloseTo(5, 9);
    expect(f1.lumpUsdMicros).toBe(5_000);
    // A new total at 60 s, read 2 s later: the window still starts at the older total (62 s).
    const f2 = flow.inFlight(SCOPE, 'p', { costUsdMicros: 9_960_000, at: at(60) }, 9_992_000, at(62))!;
    expect(f2.rateUsdMicrosPerSec).toBeCloseTo(992_000 / 62, 9);
    // Later than RATE_WINDOW_SECS after the first total, only the second one counts.
    const later = at(RATE_WINDOW_SECS + 1);
    const f3 = flow.inFlight(SCOPE, 'p', { costUsdMicros: 9_960_000, at: at(60) }, 10_960_000, later)!;
    expect(f3.rateUsdMicrosPerSec).toBeCloseTo(1_000_000 / (RATE_WINDOW_SECS + 1 - 60), 9);
  });

  it('a window too short and no older total: no estimate', () => {
    const flow = new CallFlow();
    flow.observeCall(SCOPE, 'p', { costUsdMicros: 5_000, latencyMs: 5000, timestamp: at(0) }, at(5));
    expect(flow.inFlight(SCOPE, 'p', { costUsdMicros: 1_000, at: at(0) }, 2_000, at(3))).toBeUndefined();
    expect(flow.inFlight(SCOPE, 'p', undefined, 2_000, at(3))).toBeUndefined();
  });

  it(`keeps at most ${MAX_FLOWS} labels, dropping the oldest`, () => {
    const flow = new CallFlow();
    for (let i = 0; i <= MAX_FLOWS; i++) {
      flow.observeCall(SCOPE, `l${i}`, { costUsdMicros: 1, latencyMs: 1000, timestamp: at(0) }, at(1));
    }
    expect(flow.leadSecs(SCOPE, 'l0')).toBeUndefined();
    expect(flow.leadSecs(SCOPE, `l${MAX_FLOWS}`)).toBeCloseTo(1, 9);
  });
});
