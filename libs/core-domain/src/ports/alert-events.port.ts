import { type AlertEvent, type AlertEventType } from '../model/alerts/alert-event.js';

export interface AlertEventQuery {
  types?: AlertEventType[];
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  /** Opaque, from a previous page. */
  cursor?: string;
  limit: number;
}

/** Alert events: created once per id (a conditional create), listed newest first. */
export interface AlertEvents {
  /** Creates the event unless one with its id exists: 'exists' writes nothing. */
  createOnce(event: AlertEvent): Promise<'created' | 'exists'>;
  get(orgId: string, eventId: string, now: Date): Promise<AlertEvent | undefined>;
  /** Newest first, expired ones hidden. */
  list(
    orgId: string,
    query: AlertEventQuery,
    now: Date,
  ): Promise<{ events: AlertEvent[]; nextCursor?: string }>;
}
export const ALERT_EVENTS = Symbol('AlertEvents');
