import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { type UsageRecord } from '#core-domain';
import { recordDto } from './usage-records.mapper.js';

/** The fixed CSV columns, in order; `tag.<key>` columns follow, one per key present (sorted). */
export const CSV_COLUMNS = [
  'request_id',
  'timestamp',
  'recorded_at',
  'app_id',
  'model_label',
  'bedrock_model_id',
  'inference_profile_arn',
  'calling_region',
  'status',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'cost_usd_micros',
  'price_source',
  'price_version',
] as const;

function csvRow(r: UsageRecord, tagKeys: readonly string[]): (string | number)[] {
  const d = recordDto(r);
  const row: (string | number)[] = CSV_COLUMNS.map((c) => {
    const v = d[c as keyof typeof d];
    return typeof v === 'number' || typeof v === 'string' ? v : '';
  });
  for (const key of tagKeys) row.push(r.tags?.[key] ?? '');
  return row;
}

/**
 * RFC 4180 CSV (CRLF line ends, fields with commas, quotes or line breaks quoted, quotes doubled;
 * UTF-8) by csv-stringify, pulled from the records as the response drains: constant memory.
 */
export function csvFile(records: AsyncIterable<UsageRecord>, tagKeys: readonly string[]): Readable {
  const header = [...CSV_COLUMNS, ...tagKeys.map((k) => `tag.${k}`)];
  async function* rows() {
    yield header;
    for await (const r of records) yield csvRow(r, tagKeys);
  }
  const csv = stringify({ record_delimiter: 'windows' });
  Readable.from(rows())
    .on('error', (e) => csv.destroy(e))
    .pipe(csv);
  return csv;
}

/** One JSON object per line (the records route's record shape), pulled as the response drains. */
export function jsonlFile(records: AsyncIterable<UsageRecord>): Readable {
  async function* lines() {
    for await (const r of records) yield `${JSON.stringify(recordDto(r))}\n`;
  }
  return Readable.from(lines());
}
