import { type EntityItem } from 'electrodb';
import { type Credential, type CredentialStore } from '#core-domain';
import { writeWithAudit } from './audit.adapter.js';
import { type Entities } from './entities.js';
import { type Ctx, defined, unlessConditionFails } from './support.js';

type CredentialItem = EntityItem<Entities['credential']>;

/** The credential entity has exactly the domain fields. */
export function credentialToItem(c: Credential): CredentialItem {
  return defined({
    clientId: c.clientId,
    orgId: c.orgId,
    appId: c.appId,
    secretHash: c.secretHash,
    secretVersion: c.secretVersion,
    secretIssuedAt: c.secretIssuedAt,
    previousSecretHash: c.previousSecretHash,
    previousSecretVersion: c.previousSecretVersion,
    previousSecretExpiresAt: c.previousSecretExpiresAt,
  });
}

function credentialFromItem(item: CredentialItem): Credential {
  return defined({ ...item });
}

export function credentialStore({ service, e }: Ctx): CredentialStore {
  return {
    async get(clientId) {
      const { data } = await e.credential.get({ clientId }).go();
      return data ? credentialFromItem(data) : undefined;
    },
    async replace(next, expectedVersion, audit = []) {
      if (audit.length > 0) {
        const result = await writeWithAudit(
          service,
          (t) => [
            t.credential
              .put(credentialToItem(next))
              .where((a, op) => op.eq(a.secretVersion, expectedVersion))
              .commit(),
          ],
          audit,
        );
        return result === 'written';
      }
      return unlessConditionFails(async () => {
        await e.credential
          .put(credentialToItem(next))
          .where((a, op) => op.eq(a.secretVersion, expectedVersion))
          .go();
        return true;
      }, false);
    },
  };
}
