// One contract suite per storage port (Jest). Every adapter runs `runStorageContracts` unchanged.
import { type StorageAdapters } from '../ports/storage.port.js';
import { alertEventsContract, webhookEndpointsContract } from './alerts.contract.js';
import { auditLogContract } from './audit.contract.js';
import { deliveriesContract } from './deliveries.contract.js';
import { inferenceProfilesContract } from './profiles.contract.js';
import { periodTotalsContract } from './period-totals.contract.js';
import { usageRecordsContract } from './records.contract.js';
import { usageRollupsContract } from './rollups.contract.js';
import { stickyStatesContract } from './sticky-states.contract.js';
import { tenantDirectoryContract } from './tenants.contract.js';
import {
  changeFeedContract,
  dailyTotalsContract,
  spendReaderContract,
  usageCountersContract,
} from './usage.contract.js';
import {
  pricingCacheContract,
  revokedTokensContract,
  workerLeaseContract,
} from './infrastructure.contract.js';
import { describe } from '@jest/globals';

export {
  tenantDirectoryContract,
  inferenceProfilesContract,
  stickyStatesContract,
  usageCountersContract,
  usageRecordsContract,
  usageRollupsContract,
  dailyTotalsContract,
  periodTotalsContract,
  spendReaderContract,
  changeFeedContract,
  pricingCacheContract,
  revokedTokensContract,
  workerLeaseContract,
  alertEventsContract,
  webhookEndpointsContract,
  deliveriesContract,
  auditLogContract,
};

/** Runs every port's contract suite against one adapter. `get` is called inside each test. */
export function runStorageContracts(name: string, get: () => StorageAdapters): void {
  describe(`storage contracts: ${name}`, () => {
    tenantDirectoryContract(get);
    inferenceProfilesContract(get);
    stickyStatesContract(get);
    usageCountersContract(get);
    usageRecordsContract(get);
    usageRollupsContract(get);
    dailyTotalsContract(get);
    periodTotalsContract(get);
    spendReaderContract(get);
    changeFeedContract(get);
    pricingCacheContract(get);
    revokedTokensContract(get);
    workerLeaseContract(get);
    alertEventsContract(get);
    webhookEndpointsContract(get);
    deliveriesContract(get);
    auditLogContract(get);
  });
}
