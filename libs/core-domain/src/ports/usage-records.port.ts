import { type RecordMatch } from '../model/usage/record-filter.js';
import { type UsageRecord } from '../model/usage/usage.entity.js';

/** One org day's records with `from <= timestamp < to`, in timestamp order, after a position. */
export interface DayRecordsQuery extends RecordMatch {
  orgId: string;
  /** The org day (YYYY-MM-DD) the records count in. */
  day: string;
  /** ISO instants (toISOString form): from inclusive, to exclusive. */
  from: string;
  to: string;
  /** From the previous page of this day: only records after this position (recordPosition). */
  after?: string;
  /** At most this many records (1..1000). */
  limit: number;
  /** Records past their retention (retainUntil) are hidden. */
  now: Date;
}

export interface DayRecordsPage {
  records: UsageRecord[];
  /** Set when the day may hold more matching records: the position to read on from. */
  next?: string;
}

export interface RecordFeedPage {
  records: UsageRecord[];
  next?: string;
}

/** The usage records for drill-down, export and the worker's rollups (written by UsageCounters.recordOnce). */
export interface UsageRecords {
  /** Cost proportional to the records read (one partition per org day), never a scan. */
  readDay(query: DayRecordsQuery): Promise<DayRecordsPage>;
  /**
   * Every record written (recordedAt) in [from, to), in no particular order, page by page (`cursor` from
   * the previous page). Cost proportional to those records. The worker's rollups read this.
   */
  recordedBetween(from: Date, to: Date, cursor: string | undefined, limit: number): Promise<RecordFeedPage>;
}
export const USAGE_RECORDS = Symbol('UsageRecords');
