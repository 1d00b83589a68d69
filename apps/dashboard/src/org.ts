// What every page needs to know about the signed-in org, from its own public routes.
import { type Api, ApiError } from './api.js';
import { addDays } from './format.js';
import type { Aggregates, OrgView, Summary } from './types.js';

export interface OrgToday {
  aggregates: Aggregates;
  /** X-Data-Lag-Secs: now minus the latest aggregation pass. */
  lagSecs: number;
}

export async function orgToday(api: Api): Promise<OrgToday> {
  const r = await api.request<Aggregates>(`/api/v1/orgs/${api.orgId}/aggregates/today`);
  return { aggregates: r.body, lagSecs: Number(r.headers.get('X-Data-Lag-Secs') ?? 0) };
}

const appsKey = (org: string) => `bck.dashboard.apps.${org}`;

/** App ids the person added by hand (an ORG-scope org does not list its apps to an org token). */
export function addedApps(org: string): string[] {
  try {
    const v = JSON.parse(sessionStorage.getItem(appsKey(org)) ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function setAddedApps(org: string, apps: string[]): void {
  sessionStorage.setItem(appsKey(org), JSON.stringify([...new Set(apps)]));
}

/**
 * The org's apps, from what the public API tells this caller: the APP-scope aggregates list every app;
 * otherwise the apps with usage in the last 30 days (usage summary), the org's app list when the admin
 * key was given, and the ones added by hand.
 */
export async function knownApps(api: Api, today: OrgToday): Promise<string[]> {
  const found = new Set<string>(Object.keys(today.aggregates.apps ?? {}));
  const tasks: Promise<void>[] = [];
  if (today.aggregates.quota_scope === 'ORG') {
    const to = today.aggregates.date;
    const q = new URLSearchParams({ from: addDays(to, -29), to, group_by: 'app' });
    tasks.push(
      api
        .request<Summary>(`/api/v1/orgs/${api.orgId}/usage/summary?${q}`)
        .then((r) => r.body.rows.forEach((row) => row.group.app && found.add(row.group.app)))
        .catch(ignoreMissing),
    );
  }
  if (api.hasAdminKey) {
    tasks.push(
      api
        .admin<OrgView>(`/api/v1/orgs/${api.orgId}`)
        .then((r) => r.body.apps?.forEach((a) => found.add(a.app_id)))
        .catch(ignoreMissing),
    );
  }
  await Promise.all(tasks);
  for (const a of addedApps(api.orgId)) found.add(a);
  return [...found].sort();
}

/** Discovery is best effort: a route this service does not have, or a refused key, hides nothing else. */
function ignoreMissing(e: unknown): void {
  if (e instanceof ApiError && e.status < 500) return;
  throw e;
}
