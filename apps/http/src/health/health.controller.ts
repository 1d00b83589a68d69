import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthIndicatorResult } from '@nestjs/terminus';
import { type FastifyReply } from 'fastify';
import { CLOCK, isoUtc, STORAGE_ADAPTERS, type Clock, type StorageAdapters } from '#core-domain';
import { SERVICE_VERSION } from '../version.js';

export const HEALTH_TIMEOUT_MS = Symbol('HealthTimeoutMs');

class DatabaseHealthDto {
  @ApiProperty({ enum: ['connected', 'disconnected'], enumName: 'DatabaseStatus' }) status!:
    'connected' | 'disconnected';
  @ApiProperty({ example: 4, description: 'Round trip of a storage ping, milliseconds' }) latency_ms!: number;
}

export class HealthDto {
  @ApiProperty({ enum: ['healthy', 'unhealthy'], enumName: 'HealthStatus' }) status!: 'healthy' | 'unhealthy';
  @ApiProperty({ example: 'bedrock-cost-keeper' }) service!: string;
  @ApiProperty({ example: SERVICE_VERSION }) version!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: DatabaseHealthDto }) database!: DatabaseHealthDto;
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(STORAGE_ADAPTERS) private readonly storage: StorageAdapters,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEALTH_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Get('health')
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness and storage reachability (2 s bound)' })
  @ApiResponse({ status: 200, type: HealthDto, description: 'Healthy' })
  @ApiResponse({ status: 503, type: HealthDto, description: 'Storage did not answer within 2 s' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const started = performance.now();
    let up = true;
    try {
      await this.health.check([() => this.pingStorage()]);
    } catch {
      up = false;
    }
    const latency = Math.round(performance.now() - started);
    void reply.status(up ? 200 : 503).header('Cache-Control', 'no-store');
    return {
      status: up ? 'healthy' : 'unhealthy',
      service: 'bedrock-cost-keeper',
      version: SERVICE_VERSION,
      timestamp: isoUtc(this.clock.now()),
      database: { status: up ? 'connected' : 'disconnected', latency_ms: latency },
    };
  }

  /** A terminus indicator: the storage ping, bounded by the timeout. */
  private async pingStorage(): Promise<HealthIndicatorResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('storage ping timed out')), this.timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.storage.ping(), timeout]);
      return { database: { status: 'up' } };
    } finally {
      clearTimeout(timer);
    }
  }
}

export class RootDto {
  @ApiProperty({ example: 'bedrock-cost-keeper' }) service!: string;
  @ApiProperty({ example: SERVICE_VERSION }) version!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { token: '/auth/token', health: '/health' },
  })
  links!: Record<string, string>;
}

@ApiTags('health')
@Controller()
export class RootController {
  @Get()
  @ApiOperation({ operationId: 'getRoot', summary: 'Service discovery' })
  @ApiResponse({ status: 200, type: RootDto })
  root(): RootDto {
    return {
      service: 'bedrock-cost-keeper',
      version: SERVICE_VERSION,
      description: 'Quota-aware model selection and usage metering for Amazon Bedrock',
      links: {
        token: '/auth/token',
        health: '/health',
        api: '/api/v1',
        docs: '/docs',
        openapi: '/openapi.json',
        dashboard: '/dashboard',
      },
    };
  }
}
