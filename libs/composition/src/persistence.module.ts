import { Module, type DynamicModule } from '@nestjs/common';
import {
  CLOCK,
  createCostKeeper,
  STORAGE_ADAPTERS,
  type Clock,
  type CostKeeper,
  type InferenceProfileResolver,
  type ServiceConfig,
  type SnsPublisher,
  type StorageAdapters,
  type WebhookSender,
} from '#core-domain';
import {
  BcryptSecretHasher,
  createWebhookSender,
  hmacCursorSealer,
  nodeIdGenerator,
  standardWebhookSigner,
  systemClock,
} from '#adapters-node';
import { SERVICE_VERSION } from './version.js';
import { snsPublisherForRegion } from './alerts/sns-publisher.js';

export const COST_KEEPER = Symbol('CostKeeper');
export const SERVICE_CONFIG = Symbol('ServiceConfig');

export interface PersistenceOptions {
  storage: StorageAdapters;
  config: ServiceConfig;
  clock?: Clock;
  profileResolver?: InferenceProfileResolver;
  aggregationIntervalSecs?: number;
  /** Who this process is, as a lease holder (the worker's aggregation). */
  aggregationOwner?: string;
  /** The secret cursors are sealed with (the HTTP app: JWT_SECRET); without it, in-process cursors. */
  cursorSecret?: string;
  /** bcrypt cost; tests lower it. */
  bcryptCost?: number;
  /** WEBHOOK_ALLOW_PRIVATE=true: webhooks may target local and private http(s) receivers. */
  webhookAllowPrivate?: boolean;
  /** Where SNS channels publish (AWS_REGION); without it and without `alerts.sns`, SNS deliveries fail. */
  awsRegion?: string;
  /** Alert channels other than the Node webhook sender (SNS; tests: fakes). */
  alerts?: { sender?: WebhookSender; sns?: SnsPublisher; retryDelaysSecs?: readonly number[] };
}

/**
 * The one place where ports meet their implementations: the storage, clock and config given, the
 * Node ids and bcrypt hasher, and the CostKeeper built on them (COST_KEEPER). Global, so the HTTP
 * app's controllers and the worker's jobs inject the same instances.
 */
@Module({})
export class PersistenceModule {
  static register(o: PersistenceOptions): DynamicModule {
    const intervalSecs = o.aggregationIntervalSecs ?? 60;
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: STORAGE_ADAPTERS, useValue: o.storage },
        { provide: CLOCK, useValue: o.clock ?? systemClock },
        { provide: SERVICE_CONFIG, useValue: o.config },
        {
          provide: COST_KEEPER,
          inject: [STORAGE_ADAPTERS, CLOCK, SERVICE_CONFIG],
          useFactory: (storage: StorageAdapters, clock: Clock, config: ServiceConfig): CostKeeper =>
            createCostKeeper({
              storage,
              clock,
              config,
              ids: nodeIdGenerator,
              hasher: new BcryptSecretHasher(o.bcryptCost ?? 10),
              ...(o.cursorSecret ? { cursors: hmacCursorSealer(o.cursorSecret) } : {}),
              ...(o.profileResolver ? { profileResolver: o.profileResolver } : {}),
              aggregation: {
                intervalSecs,
                owner: o.aggregationOwner ?? 'aggregator',
                // Another worker takes over this long after a holder dies.
                leaseTtlSecs: Math.max(10, 3 * intervalSecs),
              },
              alerts: {
                sender:
                  o.alerts?.sender ?? createWebhookSender({ allowPrivate: o.webhookAllowPrivate ?? false }),
                signer: standardWebhookSigner,
                ...(o.alerts?.sns
                  ? { sns: o.alerts.sns }
                  : o.awsRegion
                    ? { sns: snsPublisherForRegion(o.awsRegion) }
                    : {}),
                allowPrivate: o.webhookAllowPrivate ?? false,
                serviceVersion: SERVICE_VERSION,
                owner: o.aggregationOwner ?? 'aggregator',
                ...(o.alerts?.retryDelaysSecs ? { retryDelaysSecs: o.alerts.retryDelaysSecs } : {}),
              },
            }),
        },
      ],
      exports: [STORAGE_ADAPTERS, CLOCK, SERVICE_CONFIG, COST_KEEPER],
    };
  }
}
