import { describe, expect, it } from '@jest/globals';
import {
  AUDIT_TTL_DAYS,
  type AuditEntry,
  type AuditFailure,
  type AuditQuery,
} from '../model/audit/audit-entry.js';
import { type StorageAdapters } from '../ports/storage.port.js';
import { aCredential, anApp, anOrg, aProfile, aWebhook, uniqueId } from './builders.js';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');

export function anAuditEntry(orgId: string, over: Partial<AuditEntry> = {}): AuditEntry {
  const at = over.occurredAt ?? new Date(T0).toISOString();
  return {
    eventId: `aud_${uniqueId().replaceAll('-', '')}`,
    occurredAt: at,
    orgId,
    actor: { kind: 'admin', id: '0123456789ab', sourceIp: '203.0.113.7', userAgent: 'curl/8' },
    action: 'org.updated',
    target: { type: 'org', id: orgId },
    changes: { orgName: { before: 'Acme', after: 'Acme 2' } },
    requestId: 'req-1',
    outcome: 'success',
    expiresAt: Math.floor(Date.parse(at) / 1000) + AUDIT_TTL_DAYS * 86_400,
    ...over,
  };
}

/** A random far day per test: failures share partitions by day, so tests keep to their own day. */
function aDay(): Date {
  return new Date(Date.parse('2040-01-01T00:00:00Z') + Math.floor(Math.random() * 20_000) * 86_400_000);
}

export function anAuditFailure(at: Date, over: Partial<AuditFailure> = {}): AuditFailure {
  return {
    sourceIp: '198.51.100.9',
    minute: at.toISOString().slice(0, 16),
    occurredAt: at.toISOString(),
    attempt: 'admin_key',
    userAgent: 'scanner/1',
    outcome: 'failure',
    expiresAt: Math.floor(at.getTime() / 1000) + 7 * 86_400,
    ...over,
  };
}

const NOW = new Date(T0 + 3_600_000);

async function all(s: StorageAdapters, orgId: string, q: Partial<AuditQuery> = {}): Promise<AuditEntry[]> {
  return (await s.audit.list(orgId, { limit: 1000, ...q }, NOW)).items;
}

/** Each audited port method, with the change it makes and a way to see whether it happened. */
function auditedWrites(s: StorageAdapters) {
  return [
    {
      name: 'createOrg',
      async prepare() {
        const org = anOrg();
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.tenants.createOrg(org, aCredential(org.orgId), a),
          happened: async () => (await s.tenants.getOrg(org.orgId)) !== undefined,
        };
      },
    },
    {
      name: 'updateOrg',
      async prepare() {
        const org = anOrg();
        await s.tenants.createOrg(org, aCredential(org.orgId));
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.tenants.updateOrg({ ...org, orgName: 'Renamed' }, a),
          happened: async () => (await s.tenants.getOrg(org.orgId))?.orgName === 'Renamed',
        };
      },
    },
    {
      name: 'createApp',
      async prepare() {
        const org = anOrg();
        await s.tenants.createOrg(org, aCredential(org.orgId));
        const app = anApp(org.orgId);
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.tenants.createApp(app, aCredential(org.orgId, app.appId), a),
          happened: async () => (await s.tenants.getApp(org.orgId, app.appId)) !== undefined,
        };
      },
    },
    {
      name: 'updateApp',
      async prepare() {
        const org = anOrg();
        await s.tenants.createOrg(org, aCredential(org.orgId));
        const app = anApp(org.orgId);
        await s.tenants.createApp(app, aCredential(org.orgId, app.appId));
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.tenants.updateApp({ ...app, appName: 'Renamed' }, a),
          happened: async () => (await s.tenants.getApp(org.orgId, app.appId))?.appName === 'Renamed',
        };
      },
    },
    {
      name: 'credentials.replace',
      async prepare() {
        const org = anOrg();
        const cred = aCredential(org.orgId);
        await s.tenants.createOrg(org, cred);
        const next = { ...cred, secretHash: 'hash-v2', secretVersion: 2 };
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.credentials.replace(next, 1, a),
          happened: async () => (await s.credentials.get(cred.clientId))?.secretVersion === 2,
        };
      },
    },
    {
      name: 'revocations.revoke',
      async prepare() {
        const jti = uniqueId();
        const exp = Math.floor(NOW.getTime() / 1000) + 3600;
        return {
          orgId: uniqueId(),
          write: (a: AuditEntry[]) => s.revocations.revoke(jti, exp, a),
          happened: () => s.revocations.anyRevoked([jti], NOW),
        };
      },
    },
    {
      name: 'profiles.register',
      async prepare() {
        const org = anOrg();
        const p = aProfile(org.orgId, 'app1', { profileLabel: `p-${uniqueId().slice(0, 8)}` });
        return {
          orgId: org.orgId,
          write: (a: AuditEntry[]) => s.profiles.register(p, a),
          happened: async () => (await s.profiles.get(org.orgId, 'app1', p.profileLabel)) !== undefined,
        };
      },
    },
    {
      name: 'webhooks.create',
      async prepare() {
        const orgId = uniqueId();
        const w = aWebhook(orgId);
        return {
          orgId,
          write: (a: AuditEntry[]) => s.webhooks.create(w, a),
          happened: async () => (await s.webhooks.get(orgId, w.webhookId)) !== undefined,
        };
      },
    },
    {
      name: 'webhooks.update',
      async prepare() {
        const orgId = uniqueId();
        const w = aWebhook(orgId);
        await s.webhooks.create(w);
        return {
          orgId,
          write: (a: AuditEntry[]) => s.webhooks.update({ ...w, description: 'changed' }, a),
          happened: async () => (await s.webhooks.get(orgId, w.webhookId))?.description === 'changed',
        };
      },
    },
    {
      name: 'webhooks.delete',
      async prepare() {
        const orgId = uniqueId();
        const w = aWebhook(orgId);
        await s.webhooks.create(w);
        return {
          orgId,
          write: (a: AuditEntry[]) => s.webhooks.delete(orgId, w.webhookId, a),
          happened: async () => (await s.webhooks.get(orgId, w.webhookId)) === undefined,
        };
      },
    },
  ];
}

export function auditLogContract(get: () => StorageAdapters): void {
  describe('AuditLog and the audited writes', () => {
    it('every audited write stores its items with the change, read back field for field', async () => {
      const s = get();
      for (const w of auditedWrites(s)) {
        const { orgId, write, happened } = await w.prepare();
        const entry = anAuditEntry(orgId, { target: { type: 'x', id: w.name } });
        await write([entry]);
        expect([w.name, await happened()]).toEqual([w.name, true]);
        expect(await all(s, orgId)).toEqual([entry]);
      }
    });

    it('fail-closed: when an audit item cannot be written (its key exists) the change is not written', async () => {
      const s = get();
      for (const w of auditedWrites(s)) {
        const { orgId, write, happened } = await w.prepare();
        // The item is stored already (with an earlier change, a revocation): writing it again fails.
        const taken = anAuditEntry(orgId);
        await s.revocations.revoke(uniqueId(), Math.floor(NOW.getTime() / 1000) + 60, [taken]);
        expect(await all(s, orgId)).toEqual([taken]);
        const before = await all(s, orgId);
        await expect(write([anAuditEntry(orgId), taken])).rejects.toThrow();
        expect([w.name, await happened()]).toEqual([w.name, false]);
        expect(await all(s, orgId)).toEqual(before);
      }
    });

    it('a write refused by its own condition writes no audit item', async () => {
      const s = get();
      const org = anOrg();
      expect(await s.tenants.updateOrg(org, [anAuditEntry(org.orgId)])).toBe('missing');
      await s.tenants.createOrg(org, aCredential(org.orgId));
      expect(await s.tenants.createOrg(org, aCredential(org.orgId), [anAuditEntry(org.orgId)])).toBe(
        'exists',
      );
      expect(await s.credentials.replace(aCredential(org.orgId), 7, [anAuditEntry(org.orgId)])).toBe(false);
      expect(await all(s, org.orgId)).toEqual([]);
    });

    it('lists newest first, between inclusive bounds, by action and by actor, hiding expired items', async () => {
      const s = get();
      const org = anOrg();
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
      const a = anAuditEntry(org.orgId, { occurredAt: at(1), action: 'org.updated' });
      const b = anAuditEntry(org.orgId, {
        occurredAt: at(2),
        action: 'alerts.updated',
        actor: { kind: 'client', id: `org-${org.orgId}` },
      });
      const c = anAuditEntry(org.orgId, { occurredAt: at(3), action: 'credentials.rotated' });
      const expired = anAuditEntry(org.orgId, { occurredAt: at(4), expiresAt: Math.floor(T0 / 1000) });
      for (const e of [a, b, c, expired]) await s.tenants.updateOrg(org, [e]);
      // Another org's items never show.
      const other = anOrg();
      await s.tenants.createOrg(other, aCredential(other.orgId), [anAuditEntry(other.orgId)]);

      expect(await all(s, org.orgId)).toEqual([c, b, a]);
      expect(await all(s, org.orgId, { from: at(2), to: at(3) })).toEqual([c, b]);
      expect(await all(s, org.orgId, { actions: ['alerts.updated', 'org.updated'] })).toEqual([b, a]);
      expect(await all(s, org.orgId, { actor: `org-${org.orgId}` })).toEqual([b]);
    });

    it('pages with no duplicate and no gap, also between items of one instant', async () => {
      const s = get();
      const org = anOrg();
      await s.tenants.createOrg(org, aCredential(org.orgId));
      const written: AuditEntry[] = [];
      for (let i = 0; i < 7; i++) {
        const e = anAuditEntry(org.orgId, {
          occurredAt: new Date(T0 + Math.floor(i / 2) * 1000).toISOString(),
        });
        written.push(e);
        await s.tenants.updateOrg(org, [e]);
      }
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await s.audit.list(org.orgId, { limit: 3, ...(after ? { after } : {}) }, NOW);
        seen.push(...page.items.map((e) => e.eventId));
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(written.map((e) => e.eventId)));
      const full = (await all(s, org.orgId)).map((e) => e.eventId);
      expect(seen).toEqual(full);
    });

    it('keeps at most one failed attempt per source and minute', async () => {
      const s = get();
      const day = aDay();
      const t = (min: number, sec = 0) => new Date(day.getTime() + min * 60_000 + sec * 1000);
      expect(await s.audit.recordFailure(anAuditFailure(t(5, 1)))).toBe('recorded');
      for (let i = 2; i < 12; i++) {
        expect(await s.audit.recordFailure(anAuditFailure(t(5, i), { attempt: 'token' }))).toBe('exists');
      }
      expect(await s.audit.recordFailure(anAuditFailure(t(5, 30), { sourceIp: '198.51.100.10' }))).toBe(
        'recorded',
      );
      expect(await s.audit.recordFailure(anAuditFailure(t(6, 0)))).toBe('recorded');
      const listed = await s.audit.listFailures(
        { from: t(0).toISOString(), to: t(10).toISOString(), limit: 100 },
        t(10),
      );
      expect(listed.items.map((f) => [f.minute, f.sourceIp, f.attempt])).toEqual([
        [t(6).toISOString().slice(0, 16), '198.51.100.9', 'admin_key'],
        [t(5).toISOString().slice(0, 16), '198.51.100.9', 'admin_key'],
        [t(5).toISOString().slice(0, 16), '198.51.100.10', 'admin_key'],
      ]);
      expect(listed.items[1]).toEqual(anAuditFailure(t(5, 1)));
    });

    it('lists failures newest first across days, paged, hiding expired ones and keeping to the range', async () => {
      const s = get();
      const day = aDay();
      const t = (hours: number) => new Date(day.getTime() + hours * 3_600_000);
      const kept: AuditFailure[] = [];
      for (const h of [1, 20, 30, 50, 51]) {
        const f = anAuditFailure(t(h), { sourceIp: `192.0.2.${h}` });
        kept.push(f);
        await s.audit.recordFailure(f);
      }
      await s.audit.recordFailure(anAuditFailure(t(40), { sourceIp: '192.0.2.99', expiresAt: 1 }));
      await s.audit.recordFailure(anAuditFailure(t(80), { sourceIp: '192.0.2.80' }));
      const now = t(60);
      const seen: AuditFailure[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await s.audit.listFailures(
          { from: t(0).toISOString(), to: t(60).toISOString(), limit: 2, ...(after ? { after } : {}) },
          now,
        );
        seen.push(...page.items);
        if (page.next === undefined) break;
        after = page.next;
      }
      expect(seen).toEqual([...kept].reverse());
    });
  });
}
