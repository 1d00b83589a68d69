import { describe, expect, it } from '@jest/globals';
import {
  appClientId,
  DEFAULT_GRACE_HOURS,
  MAX_GRACE_HOURS,
  orgClientId,
  parseClientId,
  rotatedCredential,
  secretVersionValid,
  type Credential,
} from './credential.entity.js';

const ORG = '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5';
const HOUR = 3_600_000;

function aCredential(overrides: Partial<Credential> = {}): Credential {
  return {
    clientId: orgClientId(ORG),
    orgId: ORG,
    secretHash: 'hash-v1',
    secretVersion: 1,
    secretIssuedAt: '2026-03-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('rule: client ids are org-{org_id} or org-{org_id}-app-{app_id}', () => {
  it('rule: org and app client ids are built from the ids', () => {
    expect(orgClientId(ORG)).toBe(`org-${ORG}`);
    expect(appClientId(ORG, 'billing-api')).toBe(`org-${ORG}-app-billing-api`);
  });

  it('rule: an org client id parses back to the org id', () => {
    expect(parseClientId(orgClientId(ORG))).toEqual({ orgId: ORG });
  });

  it('rule: an app client id parses back to the org and app ids', () => {
    expect(parseClientId(appClientId(ORG, 'billing-api'))).toEqual({ orgId: ORG, appId: 'billing-api' });
    expect(parseClientId(appClientId(ORG, 'A'))).toEqual({ orgId: ORG, appId: 'A' });
    expect(parseClientId(appClientId(ORG, 'x-app-y'))).toEqual({ orgId: ORG, appId: 'x-app-y' });
    expect(parseClientId(appClientId(ORG, 'a'.repeat(64)))).toEqual({ orgId: ORG, appId: 'a'.repeat(64) });
  });

  it('rule: client ids are exact: an upper-case org id is not a client id (org ids are stored lower-cased)', () => {
    expect(parseClientId(`org-${ORG.toUpperCase()}`)).toBeUndefined();
    expect(parseClientId(`ORG-${ORG}`)).toBeUndefined();
  });

  it('rule: junk is not a client id', () => {
    for (const junk of [
      '',
      'org-',
      'org-123',
      ORG,
      `app-${ORG}`,
      `org-${ORG}-app-`,
      `org-${ORG}-app-#x`,
      `org-${ORG}-app-_x`,
      `org-${ORG}-app-${'a'.repeat(65)}`,
      `org-${ORG}-`,
      `org-${ORG}x`,
      ` org-${ORG}`,
      `org-${ORG}\n`,
      `org-${ORG}-app-a b`,
      `org-${ORG}-${'a'.repeat(128)}`,
      undefined,
      null,
      42,
      { orgId: ORG },
    ]) {
      expect(parseClientId(junk)).toBeUndefined();
    }
  });
});

describe('rule: rotation keeps the old secret valid for a grace period, then never again', () => {
  const rotatedAt = new Date('2026-03-10T12:00:00.000Z');
  const rotated = rotatedCredential(aCredential(), 'hash-v2', rotatedAt, 24);

  it('rule: grace is 0..168 hours, default 24', () => {
    expect(MAX_GRACE_HOURS).toBe(168);
    expect(DEFAULT_GRACE_HOURS).toBe(24);
  });

  it('rule: a rotation issues a new version and keeps the old one as the previous secret until now + grace', () => {
    expect(rotated).toEqual({
      clientId: `org-${ORG}`,
      orgId: ORG,
      secretHash: 'hash-v2',
      secretVersion: 2,
      secretIssuedAt: '2026-03-10T12:00:00.000Z',
      previousSecretHash: 'hash-v1',
      previousSecretVersion: 1,
      previousSecretExpiresAt: '2026-03-11T12:00:00.000Z',
    });
  });

  it('rule: an app credential keeps its app id through a rotation', () => {
    const app = aCredential({ clientId: appClientId(ORG, 'billing'), appId: 'billing' });
    expect(rotatedCredential(app, 'h2', rotatedAt, 1)).toMatchObject({
      appId: 'billing',
      clientId: `org-${ORG}-app-billing`,
    });
    expect('appId' in rotated).toBe(false);
  });

  it('rule: a rotation does not modify the credential it starts from', () => {
    const before = aCredential();
    rotatedCredential(before, 'hash-v2', rotatedAt, 24);
    expect(before).toEqual(aCredential());
  });

  it('rule: the current secret version is always valid', () => {
    expect(secretVersionValid(rotated, 2, rotatedAt)).toBe(true);
    expect(secretVersionValid(rotated, 2, new Date('2027-01-01T00:00:00Z'))).toBe(true);
    expect(secretVersionValid(aCredential(), 1, rotatedAt)).toBe(true);
  });

  it('rule: the previous version is valid only before previousSecretExpiresAt', () => {
    expect(secretVersionValid(rotated, 1, rotatedAt)).toBe(true);
    expect(secretVersionValid(rotated, 1, new Date(rotatedAt.getTime() + 24 * HOUR - 1))).toBe(true);
    expect(secretVersionValid(rotated, 1, new Date(rotatedAt.getTime() + 24 * HOUR))).toBe(false);
    expect(secretVersionValid(rotated, 1, new Date(rotatedAt.getTime() + 48 * HOUR))).toBe(false);
  });

  it('rule: with a grace period of 0 the old secret fails at once', () => {
    const now0 = rotatedCredential(aCredential(), 'hash-v2', rotatedAt, 0);
    expect(now0.previousSecretExpiresAt).toBe('2026-03-10T12:00:00.000Z');
    expect(secretVersionValid(now0, 1, rotatedAt)).toBe(false);
  });

  it('rule: a grace period of 168 hours lasts a week', () => {
    const week = rotatedCredential(aCredential(), 'hash-v2', rotatedAt, 168);
    expect(week.previousSecretExpiresAt).toBe('2026-03-17T12:00:00.000Z');
  });

  it('rule: versions older than the previous one are never valid', () => {
    const twice = rotatedCredential(rotated, 'hash-v3', new Date(rotatedAt.getTime() + HOUR), 24);
    expect(twice).toMatchObject({
      secretVersion: 3,
      previousSecretVersion: 2,
      previousSecretHash: 'hash-v2',
    });
    expect(secretVersionValid(twice, 3, rotatedAt)).toBe(true);
    expect(secretVersionValid(twice, 2, new Date(rotatedAt.getTime() + 2 * HOUR))).toBe(true);
    expect(secretVersionValid(twice, 1, new Date(rotatedAt.getTime() + 2 * HOUR))).toBe(false);
    expect(secretVersionValid(twice, 0, rotatedAt)).toBe(false);
  });

  it('rule: a version that was never issued is not valid', () => {
    expect(secretVersionValid(aCredential(), 2, rotatedAt)).toBe(false);
    expect(secretVersionValid(aCredential(), 0, rotatedAt)).toBe(false);
  });
});
