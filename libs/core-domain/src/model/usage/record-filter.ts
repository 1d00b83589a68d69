import { type UsageRecord } from './usage.entity.js';

/** The filters of a records read or export. Every given field must match. */
export interface RecordMatch {
  appId?: string;
  label?: string;
  status?: 'OK' | 'ERROR';
  /** Each given key must carry that value. */
  tags?: Record<string, string>;
}

/** Whether a record is still readable at `nowSecs` (its retention) and matches the filters. */
export function recordVisible(record: UsageRecord, match: RecordMatch, nowSecs: number): boolean {
  if (record.retainUntil <= nowSecs) return false;
  if (match.appId !== undefined && record.appId !== match.appId) return false;
  if (match.label !== undefined && record.label !== match.label) return false;
  if (match.status !== undefined && record.status !== match.status) return false;
  if (match.tags) {
    for (const [key, value] of Object.entries(match.tags)) {
      if (record.tags?.[key] !== value) return false;
    }
  }
  return true;
}

/** A record's place in its org day: timestamp order, ties broken by scope and request id. */
export function recordPosition(record: Pick<UsageRecord, 'timestamp' | 'scopeKey' | 'requestId'>): string {
  return `${record.timestamp}#${record.scopeKey}#${record.requestId}`;
}
