import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

// `npm run lint` keeps libs/core-domain framework-free. This lints fixture sources as if they lived
// in the domain and shows the rule failing on each forbidden import, and passing on allowed code.
const eslint = new ESLint({ cwd: process.cwd() });

async function domainErrors(code: string, filePath = 'libs/core-domain/src/lint-fixture.ts') {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId);
}

describe('lint: the domain imports no framework', () => {
  it.each([
    ["import { Injectable } from '@nestjs/common';", '@nestjs/common'],
    ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", '@aws-sdk/client-dynamodb'],
    ["import { Entity } from 'electrodb';", 'electrodb'],
    ["import { IsString } from 'class-validator';", 'class-validator'],
    ["import { randomUUID } from 'node:crypto';", 'node:crypto'],
    ["import { randomUUID } from 'crypto';", 'crypto'],
    ["import bcrypt from 'bcryptjs';", 'bcryptjs'],
    ["import { createMemoryAdapters } from '#adapters-memory';", '#adapters-memory'],
  ])('fails on %s', async (line) => {
    const errors = await domainErrors(
      `${line}\nexport const used = [${line.match(/import \{? ?(\w+)/)![1]}];\n`,
    );
    expect(errors).toContain('no-restricted-imports');
  });

  it('fails on Date.now(), new Date() and Math.random() inside rules', async () => {
    const errors = await domainErrors(
      'export const a = Date.now();\nexport const b = new Date();\nexport const c = Math.random();\n',
    );
    expect(errors.filter((e) => e === 'no-restricted-properties')).toHaveLength(2);
    expect(errors).toContain('no-restricted-syntax');
  });

  it('passes on plain TypeScript with luxon and relative imports', async () => {
    const code =
      "import { DateTime } from 'luxon';\nimport { type Clock } from './ports/clock.port.js';\nexport const f = (c: Clock) => DateTime.fromJSDate(c.now()).toISODate();\n";
    expect(await domainErrors(code)).toEqual([]);
  });

  it('allows the same imports outside the domain (adapters)', async () => {
    const code = "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID();\n";
    expect(await domainErrors(code, 'libs/adapters-memory/src/lint-fixture.ts')).toEqual([]);
  });
});

describe('lint: the domain layers point inward (model <- ports <- use cases)', () => {
  it.each([
    [
      'libs/core-domain/src/model/quota/fixture.ts',
      "import { type Clock } from '../../ports/clock.port.js';",
    ],
    [
      'libs/core-domain/src/model/quota/fixture.ts',
      "import { SelectModel } from '../../use-cases/selection/select-model.use-case.js';",
    ],
    ['libs/core-domain/src/model/fixture.ts', "import { createCostKeeper } from '../cost-keeper.js';"],
    [
      'libs/core-domain/src/ports/fixture.port.ts',
      "import { TtlCache } from '../use-cases/shared/ttl-cache.js';",
    ],
  ])('%s fails on %s', async (filePath, line) => {
    const name = line.match(/import \{ (?:type )?(\w+)/)![1];
    const errors = await domainErrors(`${line}\nexport const used = [${name}];\n`, filePath);
    expect(errors).toContain('no-restricted-imports');
  });

  it('model/ may import model/, ports/ the model, use cases both', async () => {
    const ok: Array<[string, string]> = [
      ['libs/core-domain/src/model/quota/fixture.ts', "import { orgDay } from '../time/org-time.js';"],
      [
        'libs/core-domain/src/ports/fixture.port.ts',
        "import { type Org } from '../model/tenants/tenant.entity.js';",
      ],
      [
        'libs/core-domain/src/use-cases/x/fixture.ts',
        "import { type Clock } from '../../ports/clock.port.js';",
      ],
    ];
    for (const [filePath, line] of ok) {
      const name = line.match(/import \{ (?:type )?(\w+)/)![1];
      expect(await domainErrors(`${line}\nexport const used = [${name}];\n`, filePath)).toEqual([]);
    }
  });

  it('still refuses a framework inside model/ (the layer rule keeps the framework ban)', async () => {
    const errors = await domainErrors(
      "import { Injectable } from '@nestjs/common';\nexport const used = [Injectable];\n",
      'libs/core-domain/src/model/fixture.ts',
    );
    expect(errors).toContain('no-restricted-imports');
  });
});

describe('lint: the apps share #composition and never import each other', () => {
  it.each([
    ['apps/http/src/fixture.ts', "import { WorkerModule } from '../../worker/src/worker.module.js';"],
    ['apps/worker/src/fixture.ts', "import { loadSettings } from '../../http/src/settings.js';"],
    [
      'libs/composition/src/fixture.ts',
      "import { createHttpApp } from '../../../apps/http/src/http-app.js';",
    ],
  ])('%s fails on %s', async (filePath, line) => {
    const name = line.match(/import \{ (\w+)/)![1];
    expect(await domainErrors(`${line}\nexport const used = [${name}];\n`, filePath)).toContain(
      'no-restricted-imports',
    );
  });

  it('passes on #composition from either app', async () => {
    const code = "import { WorkerModule } from '#composition';\nexport const used = [WorkerModule];\n";
    expect(await domainErrors(code, 'apps/http/src/fixture.ts')).toEqual([]);
    expect(await domainErrors(code, 'apps/worker/src/fixture.ts')).toEqual([]);
  });
});
