/** One client credential per org and per app. The secret itself is never stored, only its slow hash. */
export interface Credential {
  clientId: string;
  orgId: string;
  appId?: string;
  secretHash: string;
  /** Increments on every rotation; tokens carry the version they were issued under (`sv`). */
  secretVersion: number;
  secretIssuedAt: string;
  previousSecretHash?: string;
  previousSecretVersion?: number;
  /** ISO instant after which the previous secret, and tokens issued under it, stop working. */
  previousSecretExpiresAt?: string;
}

export const MAX_GRACE_HOURS = 168;
export const DEFAULT_GRACE_HOURS = 24;

export function orgClientId(orgId: string): string {
  return `org-${orgId}`;
}

export function appClientId(orgId: string, appId: string): string {
  return `org-${orgId}-app-${appId}`;
}

const CLIENT_ID_PATTERN =
  /^org-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:-app-([A-Za-z0-9][A-Za-z0-9_-]{0,63}))?$/;

/** Parses `org-{org_id}` or `org-{org_id}-app-{app_id}`; undefined for anything else. */
export function parseClientId(clientId: unknown): { orgId: string; appId?: string } | undefined {
  if (typeof clientId !== 'string' || clientId.length > 128) return undefined;
  const m = CLIENT_ID_PATTERN.exec(clientId);
  if (!m) return undefined;
  return m[2] ? { orgId: m[1]!, appId: m[2] } : { orgId: m[1]! };
}

/** Whether a token issued under secret version `sv` is still honoured at `now`. */
export function secretVersionValid(credential: Credential, sv: number, now: Date): boolean {
  if (sv === credential.secretVersion) return true;
  if (sv === credential.previousSecretVersion && credential.previousSecretExpiresAt) {
    return now.getTime() < Date.parse(credential.previousSecretExpiresAt);
  }
  return false;
}

/** The credential after a rotation: the current secret becomes the previous one for the grace period. */
export function rotatedCredential(
  current: Credential,
  newSecretHash: string,
  now: Date,
  graceHours: number,
): Credential {
  const previousExpires = new Date(now.getTime() + graceHours * 3600 * 1000);
  const next: Credential = {
    clientId: current.clientId,
    orgId: current.orgId,
    secretHash: newSecretHash,
    secretVersion: current.secretVersion + 1,
    secretIssuedAt: now.toISOString(),
    previousSecretHash: current.secretHash,
    previousSecretVersion: current.secretVersion,
    previousSecretExpiresAt: previousExpires.toISOString(),
  };
  if (current.appId !== undefined) next.appId = current.appId;
  return next;
}
