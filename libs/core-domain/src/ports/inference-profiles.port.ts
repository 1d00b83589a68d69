import { type AuditEntry } from '../model/audit/audit-entry.js';
import { type InferenceProfile } from '../model/profiles/inference-profile.entity.js';

export interface InferenceProfiles {
  /**
   * Conditional create: 'exists' when the app already has this label (nothing written). The audit
   * items are written in the same transaction (see TenantDirectory).
   */
  register(profile: InferenceProfile, audit?: readonly AuditEntry[]): Promise<'registered' | 'exists'>;
  get(orgId: string, appId: string, profileLabel: string): Promise<InferenceProfile | undefined>;
  /** The app's profiles, ordered by label. */
  list(orgId: string, appId: string): Promise<InferenceProfile[]>;
}
export const INFERENCE_PROFILES = Symbol('InferenceProfiles');
