import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { aUsageRecord } from '#core-domain/testing';
import { type UsageRecord } from '#core-domain';
import { CSV_COLUMNS, csvFile, jsonlFile } from './records-file.js';

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

async function* of(records: UsageRecord[]) {
  yield* records;
}

describe('export files', () => {
  const tricky = [
    aUsageRecord({ tags: { team: 'a,b', note: 'say "hi"' } }),
    aUsageRecord({ tags: { team: 'two\r\nlines', note: 'Zürich ☕ 東京' } }),
    aUsageRecord({
      tags: { ticket: 'plain' },
      profileArn: 'arn:aws:bedrock:us-east-1:1:application-inference-profile/x',
    }),
    aUsageRecord({}),
  ];

  it('CSV: RFC 4180 quoting of commas, quotes and line breaks, UTF-8, CRLF, tag columns', async () => {
    const csv = await text(csvFile(of(tricky), ['note', 'team', 'ticket']));
    expect(csv.startsWith(`${CSV_COLUMNS.join(',')},tag.note,tag.team,tag.ticket\r\n`)).toBe(true);
    expect(csv).toContain('"a,b"');
    expect(csv).toContain('"say ""hi"""');
    expect(csv).toContain('"two\r\nlines"');
    expect(csv).toContain('Zürich ☕ 東京');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    tricky.forEach((r, i) => {
      expect(rows[i]).toMatchObject({
        request_id: r.requestId,
        cost_usd_micros: String(r.costUsdMicros),
        'tag.note': r.tags?.note ?? '',
        'tag.team': r.tags?.team ?? '',
        'tag.ticket': r.tags?.ticket ?? '',
        inference_profile_arn: r.profileArn ?? '',
      });
    });
  });

  it('JSONL: one record object per line, tags kept exactly', async () => {
    const lines = (await text(jsonlFile(of(tricky)))).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { tags: object }).tags)).toEqual(
      tricky.map((r) => r.tags ?? {}),
    );
  });

  it('a failing source ends the CSV stream with its error', async () => {
    async function* failing() {
      yield tricky[0]!;
      throw new Error('storage went away');
    }
    await expect(text(csvFile(failing(), []))).rejects.toThrow('storage went away');
  });
});
