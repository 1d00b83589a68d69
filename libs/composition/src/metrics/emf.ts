import { type PassReport } from '#core-domain';

/** The CloudWatch namespace of the EMF metrics (the alarms stack reads them there). */
export const EMF_NAMESPACE = 'BedrockCostKeeper';

/**
 * CloudWatch Embedded Metric Format lines from the worker (METRICS_EMF=on): one JSON line per
 * aggregation pass this worker ran, written to stdout next to the JSON logs, which CloudWatch Logs
 * turns into metrics without metric filters. Metrics: AggregatorMaxLagSecs, AggregatorPasses,
 * AggregatorPassDurationMs, dimension Environment (METRICS_ENVIRONMENT).
 */
export class EmfWriter {
  constructor(
    private readonly environment: string,
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {}

  aggregationPass(report: PassReport, now: Date): void {
    if (!report.ran) return;
    this.write(`${JSON.stringify(emfPassRecord(report, this.environment, now))}\n`);
  }
}

/** The EMF record of one pass. */
export function emfPassRecord(
  report: Extract<PassReport, { ran: true }>,
  environment: string,
  now: Date,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['Environment']],
          Metrics: [
            { Name: 'AggregatorMaxLagSecs', Unit: 'Seconds' },
            { Name: 'AggregatorPasses', Unit: 'Count' },
            { Name: 'AggregatorPassDurationMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Environment: environment,
    AggregatorMaxLagSecs: report.maxLagSecs,
    AggregatorPasses: 1,
    AggregatorPassDurationMs: report.durationMs,
  };
}
