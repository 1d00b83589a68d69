// Reads a /metrics answer with a Prometheus text-format parser (parse-prometheus-text-format), then
// checks what that lenient parser lets through: every family declared (# HELP, # TYPE), every value
// a number, histogram buckets cumulative and ending in +Inf = count.
//
// The parser merges every series of a labelled histogram into one (its open issue #13 / PR #8): the
// sample lines of each histogram (`_bucket`, `_sum`, `_count`) are parsed again by it as three
// gauge families, which keep their labels, and grouped into series by their labels other than `le`.
import parsePrometheusTextFormat, {
  type PrometheusFamily,
  type PrometheusSample,
} from 'parse-prometheus-text-format';

export type { PrometheusFamily, PrometheusSample };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?Inf$|^NaN$/;

function num(where: string, v: string | undefined): number {
  if (v === undefined || !NUMBER.test(v)) throw new Error(`${where}: '${v}' is not a sample value`);
  return Number(v.replace('Inf', 'Infinity'));
}

/** The series of a histogram family, from its sample lines parsed as gauges. */
function histogramSeries(name: string, lines: string[]): PrometheusSample[] {
  const part = (suffix: string) => {
    const own = lines.filter((l) => l.startsWith(`${name}${suffix}{`) || l.startsWith(`${name}${suffix} `));
    const [family] = parsePrometheusTextFormat(
      `# HELP ${name}${suffix} part\n# TYPE ${name}${suffix} gauge\n${own.join('\n')}\n`,
    );
    return family?.metrics ?? [];
  };
  const series = new Map<string, PrometheusSample>();
  const seriesOf = (labels: Record<string, string> = {}) => {
    const { le: _le, ...rest } = labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let s = series.get(key);
    if (!s) {
      s = { labels: rest, buckets: {} };
      series.set(key, s);
    }
    return s;
  };
  for (const m of part('_bucket')) {
    if (m.labels?.le === undefined) throw new Error(`${name}_bucket: a bucket without le`);
    seriesOf(m.labels).buckets![m.labels.le] = m.value!;
  }
  for (const m of part('_sum')) seriesOf(m.labels).sum = m.value!;
  for (const m of part('_count')) seriesOf(m.labels).count = m.value!;
  return [...series.values()];
}

/** The metric families of a Prometheus text exposition, by name; throws on anything malformed. */
export function parseMetrics(text: string): Map<string, PrometheusFamily> {
  const families = parsePrometheusTextFormat(text);
  const sampleLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  for (const f of families) {
    if (f.type === 'HISTOGRAM') f.metrics = histogramSeries(f.name, sampleLines);
  }
  const out = new Map<string, PrometheusFamily>();
  for (const f of families) {
    if (f.type === 'UNTYPED') throw new Error(`${f.name}: no # TYPE line (or a malformed sample line)`);
    if (!f.help) throw new Error(`${f.name}: no # HELP line`);
    if (out.has(f.name)) throw new Error(`${f.name}: declared twice`);
    for (const m of f.metrics) {
      const where = `${f.name}${JSON.stringify(m.labels ?? {})}`;
      if (f.type === 'HISTOGRAM') {
        const bounds = Object.entries(m.buckets ?? {}).map(([le, c]) => [num(where, le), num(where, c)]);
        bounds.sort((a, b) => a[0]! - b[0]!);
        if (bounds.at(-1)?.[0] !== Infinity) throw new Error(`${where}: no +Inf bucket`);
        for (let i = 1; i < bounds.length; i++)
          if (bounds[i]![1]! < bounds[i - 1]![1]!) throw new Error(`${where}: buckets not cumulative`);
        if (bounds.at(-1)![1] !== num(where, m.count)) throw new Error(`${where}: +Inf bucket != count`);
        num(where, m.sum);
      } else {
        num(where, m.value);
      }
    }
    out.set(f.name, f);
  }
  return out;
}

/** The samples of a family whose labels include `labels`. */
export function samples(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): PrometheusSample[] {
  const f = families.get(name);
  if (!f) throw new Error(`no metric ${name}`);
  return f.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The value of the one sample of a counter or gauge with these labels. */
export function valueOf(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples(families, name, labels);
  if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
  return Number(found[0]!.value);
}
