import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { generateOpenApiDocument } from '../src/openapi.js';
import { loadServiceConfig } from '#composition';

type Op = {
  operationId?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: unknown[];
};

describe('the OpenAPI document', () => {
  let generated = '';

  it('is committed as generated: run `npm run openapi` when this fails', async () => {
    generated = await generateOpenApiDocument(loadServiceConfig('config.yaml'));
    const committed = readFileSync('openapi/openapi.json', 'utf8');
    expect(committed === generated ? 'in sync' : 'openapi/openapi.json is stale: run npm run openapi').toBe(
      'in sync',
    );
  });

  it('gives every operation an operationId, a tag, documented errors with the ErrorBody schema, and security', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<string, Record<string, Op>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['admin', 'bearer']);
    expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        expect([
          '{org_id}',
          '{app_id}',
          '{date}',
          '{profile_label}',
          '{window}',
          '{start}',
          '{webhook_id}',
          '{event_id}',
        ]).toContain(param);
      }
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, id: typeof op.operationId }).toEqual({ where, id: 'string' });
        expect(ids.has(op.operationId!)).toBe(false);
        ids.add(op.operationId!);
        expect({ where, tags: op.tags?.length }).toEqual({ where, tags: 1 });
        expect({ where, security: Array.isArray(op.security) }).toEqual({ where, security: true });
        for (const [status, response] of Object.entries(op.responses)) {
          // /health answers 503 with the health body; every other error is the ErrorBody.
          if (Number(status) >= 400 && op.operationId !== 'getHealth') {
            expect({ where, status, ref: response.content?.['application/json']?.schema?.$ref }).toEqual({
              where,
              status,
              ref: '#/components/schemas/ErrorBodyDto',
            });
          }
        }
      }
    }
    expect(ids.size).toBeGreaterThanOrEqual(11);
  });

  it('documents the audit routes: their filters, who may call them, and no secret in the item schema', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const list = doc.paths['/api/v1/orgs/{org_id}/audit']!.get!;
    expect(list.operationId).toBe('listAudit');
    expect(list.parameters!.map((p) => `${p.in}:${p.name}`).sort()).toEqual(
      [
        'path:org_id',
        'query:action',
        'query:actor',
        'query:cursor',
        'query:from',
        'query:limit',
        'query:to',
      ].sort(),
    );
    expect(list.security).toEqual(expect.arrayContaining([{ admin: [] }, { bearer: [] }]));
    const failures = doc.paths['/api/v1/audit/failures']!.get!;
    expect(failures.operationId).toBe('listAuditFailures');
    expect(failures.security).toEqual([{ admin: [] }]);
    const item = doc.components.schemas.AuditItemDto!.properties!;
    expect(Object.keys(item).sort()).toEqual(
      [
        'action',
        'actor',
        'changes',
        'event_id',
        'occurred_at',
        'org_id',
        'outcome',
        'request_id',
        'target',
      ].sort(),
    );
    for (const name of ['AuditItemDto', 'AuditActorDto', 'AuditFailureDto'])
      expect(Object.keys(doc.components.schemas[name]!.properties!).join(' ')).not.toMatch(
        /secret|hash|token/,
      );
  });

  it('passes `redocly lint --extends=recommended` with zero errors', () => {
    const out = execFileSync(
      process.execPath,
      [
        'node_modules/@redocly/cli/bin/cli.js',
        'lint',
        'openapi/openapi.json',
        '--extends=recommended',
        '--format=stylish',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(out).not.toMatch(/\berror\b/);
  }, 60_000);
});
