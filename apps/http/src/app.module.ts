import { createSecretKey } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TerminusModule } from '@nestjs/terminus';
import { CLOCK, type Clock } from '#core-domain';
import { PersistenceModule, WorkerModule, type PersistenceOptions, type WorkerOptions } from '#composition';
import { ADMIN_KEY, JWT_SECRET, TokenSigner } from './auth/auth.tokens.js';
import { AuthController } from './auth/auth.controller.js';
import { AdminKeyGuard, BearerGuard } from './auth/guards.js';
import { JwtStrategy } from './auth/jwt.strategy.js';
import { VerifiedTokens } from './auth/verified-tokens.js';
import {
  FixedWindowLimiter,
  RATE_LIMITER,
  RATE_LIMITS_ENABLED,
  RateLimitGuard,
} from './common/rate-limit.js';
import { HEALTH_TIMEOUT_MS, HealthController, RootController } from './health/health.controller.js';
import { ProvisioningController } from './provisioning/provisioning.controller.js';
import { AggregatesController } from './runtime/aggregates.controller.js';
import { BudgetsController } from './budgets/budgets.controller.js';
import { AlertsController } from './alerts/alerts.controller.js';
import { SummaryController } from './summary/summary.controller.js';
import { OrgTokenOrAdminGuard } from './alerts/alerts.guard.js';
import { AuditController } from './audit/audit.controller.js';
import { ProfilesController } from './runtime/profiles.controller.js';
import { RuntimeController } from './runtime/runtime.controller.js';
import { UsageRecordsController } from './usage-records/usage-records.controller.js';

export interface AppModuleOptions extends PersistenceOptions {
  provisioningApiKey: string;
  jwtSecret: string;
  rateLimits: boolean;
  healthTimeoutMs?: number;
  /** WORKER=in-process: run the worker's jobs inside this process. */
  worker?: WorkerOptions;
}

@Module({})
export class AppModule {
  static forRoot(o: AppModuleOptions): DynamicModule {
    // The HS256 secret as a KeyObject, made once. Given a string, jsonwebtoken's verify() first tries
    // crypto.createPublicKey() on it, which throws, on every bearer request (docs/performance.md,
    // "What changed the figures").
    const jwtKey = createSecretKey(Buffer.from(o.jwtSecret, 'utf8'));
    return {
      module: AppModule,
      imports: [
        PersistenceModule.register({ cursorSecret: o.jwtSecret, ...o }),
        JwtModule.register({
          secret: jwtKey,
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        PassportModule,
        TerminusModule.forRoot({ logger: false }),
        ...(o.worker ? [WorkerModule.register(o.worker)] : []),
      ],
      controllers: [
        RootController,
        HealthController,
        AuthController,
        ProvisioningController,
        RuntimeController,
        AggregatesController,
        BudgetsController,
        UsageRecordsController,
        AlertsController,
        SummaryController,
        ProfilesController,
        AuditController,
      ],
      providers: [
        { provide: JWT_SECRET, useValue: jwtKey },
        { provide: ADMIN_KEY, useValue: o.provisioningApiKey },
        { provide: RATE_LIMITS_ENABLED, useValue: o.rateLimits },
        { provide: RATE_LIMITER, useFactory: (c: Clock) => new FixedWindowLimiter(c), inject: [CLOCK] },
        { provide: HEALTH_TIMEOUT_MS, useValue: o.healthTimeoutMs ?? 2000 },
        TokenSigner,
        { provide: VerifiedTokens, useValue: new VerifiedTokens() },
        JwtStrategy,
        BearerGuard,
        AdminKeyGuard,
        OrgTokenOrAdminGuard,
        RateLimitGuard,
      ],
    };
  }
}
