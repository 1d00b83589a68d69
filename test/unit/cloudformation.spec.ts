import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { FEED_INDEX, TABLE_DEFINITION, TTL_ATTRIBUTE } from '#adapters-dynamo';
import { EMF_NAMESPACE, emfPassRecord } from '#composition';

// Static checks of the deployment: every CloudFormation template under cloudformation/, the
// Dockerfile, .dockerignore and docs/operations.md. Nothing here needs AWS or Docker.

const CFN_DIR = 'cloudformation';
const MASTER = join(CFN_DIR, 'main.yaml');

// ------------------------------------------------------------------------------------------------
// Parsing templates with the CloudFormation short-form tags
// ------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/** `!GetAtt A.B.C` is `{ "Fn::GetAtt": ["A", "B.C"] }` (split at the first dot). */
function splitGetAtt(value: string): [string, string] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value, ''] : [value.slice(0, dot), value.slice(dot + 1)];
}

const INTRINSICS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'Base64',
  'GetAZs',
  'Cidr',
] as const;

function intrinsicKey(name: (typeof INTRINSICS)[number]): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** One scalar, one sequence and one mapping tag per intrinsic (e.g. `!Sub 'x'` and `!Sub [x, {...}]`). */
const CFN_TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((name) => {
  const key = intrinsicKey(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (value: string) => ({ [key]: name === 'GetAtt' ? splitGetAtt(value) : value }),
  };
  const seq: CollectionTag = {
    tag: `!${name}`,
    collection: 'seq',
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() as unknown }),
  };
  const map: CollectionTag = {
    tag: `!${name}`,
    collection: 'map',
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() as unknown }),
  };
  return [scalar, seq, map];
});

interface Template {
  file: string;
  Parameters: Record<string, Obj>;
  Conditions: Record<string, unknown>;
  Mappings: Record<string, Record<string, Obj>>;
  Resources: Record<string, Obj>;
  Outputs: Record<string, Obj>;
}

function loadTemplate(file: string): Template {
  const doc = parseDocument(readFileSync(file, 'utf8'), { customTags: CFN_TAGS, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  const t = doc.toJS() as Obj;
  return {
    file,
    Parameters: (t.Parameters ?? {}) as Record<string, Obj>,
    Conditions: (t.Conditions ?? {}) as Record<string, unknown>,
    Mappings: (t.Mappings ?? {}) as Record<string, Record<string, Obj>>,
    Resources: (t.Resources ?? {}) as Record<string, Obj>,
    Outputs: (t.Outputs ?? {}) as Record<string, Obj>,
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const templateFiles = listFiles(CFN_DIR).filter((f) => /\.(ya?ml|json)$/.test(f));
const templates = new Map(templateFiles.map((f) => [f, loadTemplate(f)]));

function template(file: string): Template {
  const t = templates.get(file);
  if (!t) throw new Error(`no template ${file}`);
  return t;
}

/** The child template of a nested stack (a local TemplateURL, as `aws cloudformation package` wants). */
function childOf(t: Template, resource: Obj): Template {
  const url = (resource.Properties as Obj).TemplateURL;
  if (typeof url !== 'string' || /^https?:/.test(url))
    throw new Error(`${t.file}: TemplateURL must be a local path`);
  return template(join(dirname(t.file), url));
}

function resourcesOfType(type: string): Array<{ t: Template; name: string; r: Obj; props: Obj }> {
  return [...templates.values()].flatMap((t) =>
    Object.entries(t.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([name, r]) => ({ t, name, r, props: (r.Properties ?? {}) as Obj })),
  );
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Visits every object (depth first) of a value. */
function visit(value: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(value)) value.forEach((v) => visit(v, fn));
  else if (isObj(value)) {
    fn(value);
    Object.values(value).forEach((v) => visit(v, fn));
  }
}

/** The values a property may take: both branches of `Fn::If`, nothing for `AWS::NoValue`. */
function branches(value: unknown): unknown[] {
  if (isObj(value) && Array.isArray(value['Fn::If'])) {
    const [, a, b] = value['Fn::If'] as unknown[];
    return [...branches(a), ...branches(b)];
  }
  if (isObj(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

function list(value: unknown): unknown[] {
  return (Array.isArray(value) ? value : [value]).flatMap(branches);
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Condition';
  name: string;
  attribute?: string;
}

/** Every Ref / GetAtt / Sub variable / condition name used in a template. */
function referencesOf(t: Template): Reference[] {
  const refs: Reference[] = [];
  const sections = { Resources: t.Resources, Outputs: t.Outputs, Conditions: t.Conditions };
  visit(sections, (o) => {
    if (typeof o.Ref === 'string') refs.push({ kind: 'Ref', name: o.Ref });
    const getAtt = o['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const [name, attribute] =
        typeof getAtt === 'string' ? splitGetAtt(getAtt) : (getAtt as [string, string]);
      refs.push({ kind: 'GetAtt', name, attribute });
    }
    const sub = o['Fn::Sub'];
    if (sub !== undefined) {
      const [text, vars] = typeof sub === 'string' ? [sub, {}] : (sub as [string, Obj]);
      for (const m of text.matchAll(/\$\{([^}]+)\}/g)) {
        const v = m[1]!;
        if (v.startsWith('!') || v in vars) continue;
        if (v.includes('.') && !v.startsWith('AWS::')) {
          const [name, attribute] = splitGetAtt(v);
          refs.push({ kind: 'GetAtt', name, attribute });
        } else refs.push({ kind: 'Ref', name: v });
      }
    }
    const cond = o['Fn::If'];
    if (Array.isArray(cond)) refs.push({ kind: 'Condition', name: cond[0] as string });
  });
  visit(t.Conditions, (o) => {
    if (typeof o.Condition === 'string') refs.push({ kind: 'Condition', name: o.Condition });
  });
  for (const r of [...Object.values(t.Resources), ...Object.values(t.Outputs)]) {
    if (typeof r.Condition === 'string') refs.push({ kind: 'Condition', name: r.Condition });
  }
  return refs;
}

/** What each reference resolves to, or why it does not. */
function unresolved(t: Template): string[] {
  const problems: string[] = [];
  for (const ref of referencesOf(t)) {
    if (ref.kind === 'Condition') {
      if (!(ref.name in t.Conditions)) problems.push(`condition ${ref.name}`);
    } else if (ref.kind === 'Ref') {
      if (!PSEUDO.has(ref.name) && !(ref.name in t.Parameters) && !(ref.name in t.Resources))
        problems.push(`Ref ${ref.name}`);
    } else {
      const resource = t.Resources[ref.name];
      if (!resource) problems.push(`GetAtt ${ref.name}.${ref.attribute}`);
      else if (resource.Type === 'AWS::CloudFormation::Stack') {
        const output = /^Outputs\.(.+)$/.exec(ref.attribute ?? '')?.[1];
        if (!output || !(output in childOf(t, resource).Outputs))
          problems.push(`GetAtt ${ref.name}.${ref.attribute} (no such output of the child)`);
      }
    }
  }
  for (const [name, r] of Object.entries(t.Resources)) {
    for (const dep of list(r.DependsOn ?? [])) {
      if (typeof dep !== 'string' || !(dep in t.Resources)) problems.push(`${name} DependsOn ${String(dep)}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// Templates
// ------------------------------------------------------------------------------------------------

describe('cloudformation templates', () => {
  it('are all found and parse with the CloudFormation tags', () => {
    expect(templateFiles.sort()).toEqual(
      ['alarms.yaml', 'main.yaml', 'secrets.yaml', 'service.yaml', 'table.yaml'].map((f) => join(CFN_DIR, f)),
    );
    for (const t of templates.values()) {
      expect(Object.keys(t.Resources).length).toBeGreaterThan(0);
      for (const [name, r] of Object.entries(t.Resources)) {
        expect([name, typeof r.Type]).toEqual([name, 'string']);
      }
    }
  });

  it('parses every short-form tag into its long form', () => {
    const doc = parseDocument(
      [
        'a: !Ref X',
        'b: !GetAtt R.Outputs.Name',
        'c: !Sub ["x-${V}", { V: !Ref Y }]',
        'd: !If [C, !Join [",", !Split [",", !Select [0, !GetAZs ""]]], !Ref AWS::NoValue]',
        'e: !And [!Equals [a, b], !Not [!Condition C], !Or [!Condition C, !Condition D]]',
        'f: !Base64 { "Fn::FindInMap": [M, k, v] }',
        'g: !FindInMap [M, k, v]',
        'h: !ImportValue name',
        'i: !Cidr [10.0.0.0/16, 4, 8]',
      ].join('\n'),
      { customTags: CFN_TAGS },
    );
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual({
      a: { Ref: 'X' },
      b: { 'Fn::GetAtt': ['R', 'Outputs.Name'] },
      c: { 'Fn::Sub': ['x-${V}', { V: { Ref: 'Y' } }] },
      d: {
        'Fn::If': [
          'C',
          { 'Fn::Join': [',', { 'Fn::Split': [',', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }] }] },
          { Ref: 'AWS::NoValue' },
        ],
      },
      e: {
        'Fn::And': [
          { 'Fn::Equals': ['a', 'b'] },
          { 'Fn::Not': [{ Condition: 'C' }] },
          { 'Fn::Or': [{ Condition: 'C' }, { Condition: 'D' }] },
        ],
      },
      f: { 'Fn::Base64': { 'Fn::FindInMap': ['M', 'k', 'v'] } },
      g: { 'Fn::FindInMap': ['M', 'k', 'v'] },
      h: { 'Fn::ImportValue': 'name' },
      i: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
    });
  });

  it.each(templateFiles)('%s: every Ref, GetAtt, Sub variable, condition and DependsOn resolves', (file) => {
    expect(unresolved(template(file))).toEqual([]);
  });

  it.each(templateFiles)('%s: every parameter and condition is used', (file) => {
    const t = template(file);
    const refs = referencesOf(t);
    const used = new Set(refs.filter((r) => r.kind === 'Ref').map((r) => r.name));
    const usedConditions = new Set(refs.filter((r) => r.kind === 'Condition').map((r) => r.name));
    expect(Object.keys(t.Parameters).filter((p) => !used.has(p))).toEqual([]);
    expect(Object.keys(t.Conditions).filter((c) => !usedConditions.has(c))).toEqual([]);
  });

  it('nested stacks pass only parameters their child declares, and every required one', () => {
    const stacks = resourcesOfType('AWS::CloudFormation::Stack');
    expect(stacks.map((s) => s.name).sort()).toEqual([
      'AlarmsStack',
      'SecretsStack',
      'ServiceStack',
      'TableStack',
    ]);
    for (const { t, r, name, props } of stacks) {
      const child = childOf(t, r);
      const passed = Object.keys((props.Parameters ?? {}) as Obj);
      const declared = Object.keys(child.Parameters);
      const required = declared.filter((p) => child.Parameters[p]!.Default === undefined);
      expect({ name, unknown: passed.filter((p) => !declared.includes(p)) }).toEqual({ name, unknown: [] });
      expect({ name, missing: required.filter((p) => !passed.includes(p)) }).toEqual({ name, missing: [] });
      // List parameters cross a nested-stack boundary as comma-joined strings.
      for (const p of passed) {
        if (String(child.Parameters[p]!.Type).startsWith('List<')) {
          expect((props.Parameters as Obj)[p]).toEqual({ 'Fn::Join': [',', { Ref: p }] });
        }
      }
    }
  });

  it('the master template has the per-environment parameters', () => {
    const params = template(MASTER).Parameters;
    for (const p of [
      'EnvironmentName',
      'VpcId',
      'PublicSubnetIds',
      'PrivateSubnetIds',
      'ImageUri',
      'CertificateArn',
      'HttpDesiredCount',
      'WorkerDesiredCount',
      'LogRetentionDays',
      'AlarmTopicArn',
      'EnablePricingApi',
    ]) {
      expect([p, p in params]).toEqual([p, true]);
    }
    expect(params.VpcId!.Type).toBe('AWS::EC2::VPC::Id');
    expect(params.PublicSubnetIds!.Type).toBe('List<AWS::EC2::Subnet::Id>');
    expect(params.PrivateSubnetIds!.Type).toBe('List<AWS::EC2::Subnet::Id>');
  });

  it('hard-codes no account id, region or partition', () => {
    for (const file of templateFiles) {
      const text = readFileSync(file, 'utf8');
      expect([file, text.match(/\b\d{12}\b/g)]).toEqual([file, null]);
      expect([file, text.match(/\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d\b/g)]).toEqual([
        file,
        null,
      ]);
      expect([file, text.match(/arn:aws(?:-[a-z]+)?:[a-z]/g)]).toEqual([file, null]);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// DynamoDB table
// ------------------------------------------------------------------------------------------------

describe('the DynamoDB table', () => {
  const tables = resourcesOfType('AWS::DynamoDB::Table');

  it('is defined once, as the adapter defines it', () => {
    expect(tables).toHaveLength(1);
    const { props } = tables[0]!;
    expect(props.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
    expect(props.AttributeDefinitions).toEqual(TABLE_DEFINITION.AttributeDefinitions);
    expect(props.GlobalSecondaryIndexes).toEqual(TABLE_DEFINITION.GlobalSecondaryIndexes);
    expect(props.BillingMode).toBe(TABLE_DEFINITION.BillingMode);
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(TTL_ATTRIBUTE).toBe('expires_at');
    expect(props.LocalSecondaryIndexes).toBeUndefined();
  });

  it('has point-in-time recovery and encryption, and survives stack deletion', () => {
    const { r, props } = tables[0]!;
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect((props.SSESpecification as Obj).SSEEnabled).toBe(true);
    expect(props.DeletionProtectionEnabled).toBe(true);
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
  });

  it('the throttle alarm watches the feed index by its real name', () => {
    const text = readFileSync(join(CFN_DIR, 'alarms.yaml'), 'utf8');
    expect(text).toContain(`Value: ${FEED_INDEX}`);
  });
});

// ------------------------------------------------------------------------------------------------
// IAM
// ------------------------------------------------------------------------------------------------

interface Statement {
  role: string;
  Sid?: string;
  Effect: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

function statements(): Statement[] {
  const out: Statement[] = [];
  const add = (role: string, doc: unknown) => {
    for (const d of branches(doc)) {
      for (const s of list((d as Obj).Statement)) out.push({ role, ...(s as Omit<Statement, 'role'>) });
    }
  };
  for (const { name, props } of resourcesOfType('AWS::IAM::Role')) {
    for (const p of list(props.Policies ?? [])) add(name, (p as Obj).PolicyDocument);
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const { name, props } of resourcesOfType(type)) add(name, props.PolicyDocument);
  }
  return out;
}

const actionsOf = (s: Statement): string[] => list(s.Action).map(String);

const TABLE_ARN = 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}';

/** The DynamoDB operations docs/storage.md lists under "Access patterns", as IAM actions. */
function documentedDynamoActions(): Set<string> {
  const doc = readFileSync('docs/storage.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Access patterns'), doc.indexOf('## No hot partitions'));
  const ops = new Set(
    section.match(
      /\b(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|BatchGetItem|BatchWriteItem|TransactWriteItems|TransactGetItems|ConditionCheckItem)\b/g,
    ),
  );
  // A transaction is authorised per item: the adapter's transactions create (Put) and upsert (Update).
  if (ops.delete('TransactWriteItems')) ['PutItem', 'UpdateItem'].forEach((a) => ops.add(a));
  if (ops.delete('TransactGetItems')) ops.add('GetItem');
  return new Set([...ops].map((o) => `dynamodb:${o}`));
}

describe('IAM', () => {
  const all = statements();

  it('grants no wildcard action, uses no NotAction and attaches no managed policy', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      expect([s.role, s.Sid, s.NotAction, s.NotResource]).toEqual([s.role, s.Sid, undefined, undefined]);
      for (const a of actionsOf(s)) expect([s.role, a, a.includes('*')]).toEqual([s.role, a, false]);
    }
    for (const { name, props } of resourcesOfType('AWS::IAM::Role')) {
      expect([name, props.ManagedPolicyArns]).toEqual([name, undefined]);
    }
  });

  it('DynamoDB statements name only this table and its indexes, and only the operations the adapter uses', () => {
    const dynamo = all.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    const documented = documentedDynamoActions();
    expect([...documented].sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    const granted = new Set<string>();
    for (const s of dynamo) {
      expect(s.Effect).toBe('Allow');
      for (const a of actionsOf(s)) {
        expect([s.role, a, documented.has(a)]).toEqual([s.role, a, true]);
        granted.add(a);
      }
      const resources = list(s.Resource);
      expect(resources).not.toContain('*');
      expect(resources).toEqual([{ 'Fn::Sub': TABLE_ARN }, { 'Fn::Sub': `${TABLE_ARN}/index/*` }]);
    }
    expect([...granted].sort()).toEqual([...documented].sort());
  });

  it('covers the SDK commands the adapter sends itself', () => {
    const sources = readdirSync('libs/adapters-dynamo/src')
      .filter((f) => f.endsWith('.ts') && !/spec\.ts$/.test(f) && f !== 'table.ts' && f !== 'db-init.ts')
      .map((f) => readFileSync(join('libs/adapters-dynamo/src', f), 'utf8'))
      .join('\n');
    /** `BatchGetCommand` (lib-dynamodb) and `BatchGetItemCommand` (client) are both dynamodb:BatchGetItem. */
    const toActions = (command: string): string[] => {
      const op = command.replace(/Command$/, '').replace(/Items?$/, '');
      if (op === 'TransactWrite') return ['dynamodb:PutItem', 'dynamodb:UpdateItem'];
      if (op === 'TransactGet') return ['dynamodb:GetItem'];
      return [op === 'Query' || op === 'Scan' ? `dynamodb:${op}` : `dynamodb:${op}Item`];
    };
    const sent = [...sources.matchAll(/new (\w+Command)\(/g)].flatMap((m) => toActions(m[1]!));
    expect(sent.length).toBeGreaterThan(0);
    const taskRoles = new Set(
      all.filter((s) => s.role === 'WorkerTaskRole' || s.role === 'HttpTaskRole').flatMap(actionsOf),
    );
    for (const action of sent) expect([action, taskRoles.has(action)]).toEqual([action, true]);
    // The aggregator writes totals and pricing with BatchWriteItem and reads the feed index.
    const worker = new Set(all.filter((s) => s.role === 'WorkerTaskRole').flatMap(actionsOf));
    expect(worker.has('dynamodb:BatchWriteItem')).toBe(true);
    expect(worker.has('dynamodb:Query')).toBe(true);
  });

  it('the HTTP role may call bedrock:GetInferenceProfile; pricing:GetProducts only when enabled', () => {
    const http = all.filter((s) => s.role === 'HttpTaskRole');
    expect(http.flatMap(actionsOf)).toContain('bedrock:GetInferenceProfile');
    const bedrock = http.find((s) => actionsOf(s).includes('bedrock:GetInferenceProfile'))!;
    for (const r of list(bedrock.Resource)) {
      expect(r).toEqual({
        'Fn::Sub': expect.stringMatching(/^arn:\$\{AWS::Partition\}:bedrock:\$\{AWS::Region\}:/),
      });
    }
    const role = resourcesOfType('AWS::IAM::Role').find((r) => r.name === 'WorkerTaskRole')!;
    const policies = role.props.Policies as unknown[];
    const pricing = policies.find((p) => JSON.stringify(p).includes('pricing:GetProducts'));
    expect(pricing).toEqual({ 'Fn::If': ['PricingApiEnabled', expect.anything(), { Ref: 'AWS::NoValue' }] });
    expect(JSON.stringify(policies.filter((p) => p !== pricing))).not.toContain('pricing:');
    expect(template(join(CFN_DIR, 'service.yaml')).Conditions.PricingApiEnabled).toEqual({
      'Fn::Equals': [{ Ref: 'EnablePricingApi' }, 'true'],
    });
    expect(all.filter((s) => s.role !== 'WorkerTaskRole').flatMap(actionsOf)).not.toContain(
      'pricing:GetProducts',
    );
  });

  it('sns:Publish (SNS alert channels) only on topics named with the AlertTopicNamePrefix parameter, for the two task roles', () => {
    const sns = all.filter((s) => actionsOf(s).some((a) => a.startsWith('sns:')));
    expect(sns.map((s) => s.role).sort()).toEqual(['HttpTaskRole', 'WorkerTaskRole']);
    for (const s of sns) {
      expect(actionsOf(s)).toEqual(['sns:Publish']);
      expect(list(s.Resource)).toEqual([
        { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${AlertTopicNamePrefix}*' },
      ]);
    }
    const service = template(join(CFN_DIR, 'service.yaml'));
    expect(service.Parameters.AlertTopicNamePrefix).toMatchObject({
      Type: 'String',
      Default: 'bedrock-cost-keeper-alerts-',
    });
    const main = template(join(CFN_DIR, 'main.yaml'));
    expect(JSON.stringify(main.Resources)).toContain('"AlertTopicNamePrefix":{"Ref":"AlertTopicNamePrefix"}');
  });

  it('the execution role pulls images, reads exactly the two secrets and writes the two log groups', () => {
    const exec = all.filter((s) => s.role === 'TaskExecutionRole');
    const secrets = exec.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets.flatMap((s) => list(s.Resource))).toEqual([
      { Ref: 'ProvisioningApiKeySecretArn' },
      { Ref: 'JwtSecretArn' },
    ]);
    const logs = exec.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logs.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs.flatMap((s) => list(s.Resource))).toEqual([
      { 'Fn::GetAtt': ['HttpLogGroup', 'Arn'] },
      { 'Fn::GetAtt': ['WorkerLogGroup', 'Arn'] },
    ]);
    expect(exec.flatMap(actionsOf)).toEqual(
      expect.arrayContaining([
        'ecr:GetAuthorizationToken',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ]),
    );
    // Only actions without resource-level permissions may name every resource.
    const star = all.filter((s) => list(s.Resource).includes('*')).flatMap(actionsOf);
    expect(star.sort()).toEqual(['ecr:GetAuthorizationToken', 'pricing:GetProducts']);
  });

  it('roles are assumable by ECS tasks of this account only', () => {
    for (const { name, props } of resourcesOfType('AWS::IAM::Role')) {
      const doc = props.AssumeRolePolicyDocument as { Statement: Obj[] };
      expect([name, doc.Statement]).toEqual([
        name,
        [
          {
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      ]);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Secrets, ECS, load balancer, autoscaling, logs
// ------------------------------------------------------------------------------------------------

describe('secrets', () => {
  it('are generated by Secrets Manager, never passed as parameters', () => {
    const secrets = resourcesOfType('AWS::SecretsManager::Secret');
    expect(secrets.map((s) => s.name).sort()).toEqual(['JwtSecret', 'ProvisioningApiKeySecret']);
    for (const { props } of secrets) {
      expect(props.SecretString).toBeUndefined();
      const gen = props.GenerateSecretString as Obj;
      expect(gen.PasswordLength as number).toBeGreaterThanOrEqual(32);
    }
    for (const t of templates.values()) {
      for (const [name, p] of Object.entries(t.Parameters)) {
        expect([name, p.NoEcho]).toEqual([name, undefined]);
        if (/secret|password|jwt|apikey|token/i.test(name)) expect(name).toMatch(/Arn$/);
      }
    }
  });
});

describe('ECS services', () => {
  const taskDefs = resourcesOfType('AWS::ECS::TaskDefinition');
  const containers = taskDefs.flatMap(({ name, props }) =>
    (props.ContainerDefinitions as Obj[]).map((c) => ({ taskDef: name, c })),
  );

  it('run the two commands of one image on Fargate', () => {
    expect(containers.map(({ c }) => c.Command)).toEqual([
      ['node', 'dist/apps/http/main.js'],
      ['node', 'dist/apps/worker/main.js'],
    ]);
    for (const { props } of taskDefs) {
      expect(props.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(props.NetworkMode).toBe('awsvpc');
      expect(props.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': ['TaskExecutionRole', 'Arn'] });
    }
    expect(taskDefs.map(({ props }) => props.TaskRoleArn)).toEqual([
      { 'Fn::GetAtt': ['HttpTaskRole', 'Arn'] },
      { 'Fn::GetAtt': ['WorkerTaskRole', 'Arn'] },
    ]);
    for (const { c } of containers) expect(c.Image).toEqual({ Ref: 'ImageUri' });
  });

  it('set the environment of README.md ("Environment") and inject the secrets with ValueFrom', () => {
    for (const { taskDef, c } of containers) {
      const env = Object.fromEntries((c.Environment as Obj[]).map((e) => [e.Name as string, e.Value]));
      expect([taskDef, env]).toEqual([
        taskDef,
        {
          STORAGE: 'dynamodb',
          TABLE_NAME: { Ref: 'TableName' },
          AWS_REGION: { Ref: 'AWS::Region' },
          WORKER: 'separate',
          AGGREGATION_INTERVAL_SECS: { Ref: 'AggregationIntervalSecs' },
          LOG_LEVEL: { Ref: 'LogLevel' },
          PORT: '8080',
          // V8's heap limit from the task's memory (half of it), not from the host's.
          NODE_OPTIONS: {
            'Fn::Sub': [
              '--max-old-space-size=${Heap}',
              {
                Heap: {
                  'Fn::FindInMap': [
                    'NodeHeap',
                    { Ref: taskDef === 'WorkerTaskDefinition' ? 'WorkerMemory' : 'HttpMemory' },
                    'MaxOldSpaceMiB',
                  ],
                },
              },
            ],
          },
          // The worker reads daily prices from the AWS Price List only when the stack enables it.
          // ... and writes the EMF lines the aggregator alarms read.
          ...(taskDef === 'WorkerTaskDefinition'
            ? {
                PRICING_SOURCE: { 'Fn::If': ['PricingApiEnabled', 'aws', 'config'] },
                METRICS_EMF: 'on',
                METRICS_ENVIRONMENT: { Ref: 'EnvironmentName' },
              }
            : {}),
        },
      ]);
      expect([taskDef, c.Secrets]).toEqual([
        taskDef,
        [
          { Name: 'PROVISIONING_API_KEY', ValueFrom: { Ref: 'ProvisioningApiKeySecretArn' } },
          { Name: 'JWT_SECRET', ValueFrom: { Ref: 'JwtSecretArn' } },
        ],
      ]);
      const log = c.LogConfiguration as { LogDriver: string; Options: Obj };
      expect(log.LogDriver).toBe('awslogs');
      expect(log.Options['awslogs-region']).toEqual({ Ref: 'AWS::Region' });
    }
    // The master wires the secrets stack's ARNs and the table in.
    const service = template(MASTER).Resources.ServiceStack!.Properties as { Parameters: Obj };
    expect(service.Parameters.ProvisioningApiKeySecretArn).toEqual({
      'Fn::GetAtt': ['SecretsStack', 'Outputs.ProvisioningApiKeySecretArn'],
    });
    expect(service.Parameters.JwtSecretArn).toEqual({
      'Fn::GetAtt': ['SecretsStack', 'Outputs.JwtSecretArn'],
    });
  });

  it('size the V8 heap for every task memory the parameters allow: half of it', () => {
    const t = [...templates.values()].find((x) => x.file.endsWith('service.yaml'))!;
    const heap = t.Mappings.NodeHeap!;
    for (const param of ['HttpMemory', 'WorkerMemory']) {
      const allowed = (t.Parameters[param] as { AllowedValues: number[] }).AllowedValues;
      expect(allowed.length).toBeGreaterThan(0);
      for (const mib of allowed) {
        expect([param, mib, heap[String(mib)]?.MaxOldSpaceMiB]).toEqual([param, mib, mib / 2]);
      }
    }
  });

  it('put the HTTP service behind an ALB: HTTPS with the certificate, HTTP redirected, health on /health', () => {
    const listeners = resourcesOfType('AWS::ElasticLoadBalancingV2::Listener').map((l) => l.props);
    const https = listeners.find((l) => l.Protocol === 'HTTPS')!;
    expect(https.Port).toBe(443);
    expect(https.Certificates).toEqual([{ CertificateArn: { Ref: 'CertificateArn' } }]);
    expect(https.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: 'HttpTargetGroup' } }]);
    const http = listeners.find((l) => l.Protocol === 'HTTP')!;
    expect(http.Port).toBe(80);
    expect(http.DefaultActions).toEqual([
      {
        Type: 'redirect',
        RedirectConfig: expect.objectContaining({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
      },
    ]);
    const [tg] = resourcesOfType('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg!.props).toEqual(
      expect.objectContaining({ HealthCheckPath: '/health', TargetType: 'ip', Port: 8080 }),
    );
    const [lb] = resourcesOfType('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb!.props.Subnets).toEqual({ Ref: 'PublicSubnetIds' });
    for (const { props } of resourcesOfType('AWS::ECS::Service')) {
      const net = (props.NetworkConfiguration as { AwsvpcConfiguration: Obj }).AwsvpcConfiguration;
      expect(net).toEqual(
        expect.objectContaining({ Subnets: { Ref: 'PrivateSubnetIds' }, AssignPublicIp: 'DISABLED' }),
      );
    }
  });

  it('never route /metrics from the internet: the HTTPS listener answers it 404 before forwarding', () => {
    const rules = resourcesOfType('AWS::ElasticLoadBalancingV2::ListenerRule');
    const blocked = rules.filter(({ props }) =>
      (props.Conditions as Obj[]).some(
        (c) =>
          c.Field === 'path-pattern' &&
          ((c.PathPatternConfig as { Values: string[] }).Values ?? []).includes('/metrics'),
      ),
    );
    expect(blocked).toHaveLength(1);
    const { props } = blocked[0]!;
    expect(props.ListenerArn).toEqual({ Ref: 'HttpsListener' });
    const values = ((props.Conditions as Obj[])[0]!.PathPatternConfig as { Values: string[] }).Values;
    expect(values.sort()).toEqual(['/metrics', '/metrics/*']);
    // First of all the rules, and it answers itself (nothing is forwarded to a task).
    const priorities = rules.map((r) => Number(r.props.Priority));
    expect(Number(props.Priority)).toBe(Math.min(...priorities));
    expect(props.Actions).toEqual([
      {
        Type: 'fixed-response',
        FixedResponseConfig: expect.objectContaining({ StatusCode: '404', ContentType: 'application/json' }),
      },
    ]);
    const body = JSON.parse(
      ((props.Actions as Obj[])[0]!.FixedResponseConfig as { MessageBody: string }).MessageBody,
    ) as Obj;
    expect(body.error).toBe('NOT_FOUND');
    // The plain-HTTP listener only redirects to HTTPS (tested above), so it forwards nothing either.
  });

  it('scale the HTTP service by target tracking and keep 1..2 workers', () => {
    const targets = resourcesOfType('AWS::ApplicationAutoScaling::ScalableTarget');
    const byName = Object.fromEntries(targets.map((t) => [t.name, t.props]));
    expect(byName.HttpScalableTarget).toEqual(
      expect.objectContaining({ MinCapacity: { Ref: 'HttpMinCount' }, MaxCapacity: { Ref: 'HttpMaxCount' } }),
    );
    expect(byName.WorkerScalableTarget).toEqual(expect.objectContaining({ MinCapacity: 1, MaxCapacity: 2 }));
    const policies = resourcesOfType('AWS::ApplicationAutoScaling::ScalingPolicy').map((p) => p.props);
    const metricsFor = (target: string) =>
      policies
        .filter((p) => (p.ScalingTargetId as Obj).Ref === target)
        .map((p) => {
          expect(p.PolicyType).toBe('TargetTrackingScaling');
          const cfg = p.TargetTrackingScalingPolicyConfiguration as { PredefinedMetricSpecification: Obj };
          return cfg.PredefinedMetricSpecification.PredefinedMetricType;
        });
    expect(metricsFor('HttpScalableTarget').sort()).toEqual([
      'ALBRequestCountPerTarget',
      'ECSServiceAverageCPUUtilization',
    ]);
    expect(metricsFor('WorkerScalableTarget')).toEqual(['ECSServiceAverageCPUUtilization']);
    const master = template(MASTER).Parameters;
    expect(master.WorkerDesiredCount).toEqual(
      expect.objectContaining({ Default: 1, MinValue: 1, MaxValue: 2 }),
    );
  });

  it('log to groups whose retention is a parameter', () => {
    const groups = resourcesOfType('AWS::Logs::LogGroup');
    expect(groups.map((g) => g.name).sort()).toEqual(['HttpLogGroup', 'WorkerLogGroup']);
    for (const { props } of groups) expect(props.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
  });
});

// ------------------------------------------------------------------------------------------------
// Alarms
// ------------------------------------------------------------------------------------------------

describe('alarms', () => {
  const alarms = resourcesOfType('AWS::CloudWatch::Alarm');
  const metricsOf = (props: Obj): string[] => {
    const names: string[] = props.MetricName ? [props.MetricName as string] : [];
    visit(props.Metrics ?? [], (o) => {
      if (typeof o.MetricName === 'string') names.push(o.MetricName);
    });
    return names;
  };
  const all = alarms.flatMap((a) => metricsOf(a.props));

  it('cover 5xx, latency, aggregator lag and DynamoDB throttling', () => {
    expect(all).toEqual(
      expect.arrayContaining([
        'HTTPCode_ELB_5XX_Count',
        'HTTPCode_Target_5XX_Count',
        'TargetResponseTime',
        'ReadThrottleEvents',
        'WriteThrottleEvents',
        'AggregatorMaxLagSecs',
      ]),
    );
  });

  it("watch the aggregator through the worker's EMF metrics (no metric filter)", () => {
    expect(resourcesOfType('AWS::Logs::MetricFilter')).toEqual([]);
    // What the worker writes with METRICS_EMF=on (the stack turns it on, see the ECS tests).
    const record = emfPassRecord(
      {
        ran: true,
        groupsAggregated: 1,
        periodTotalsWritten: 1,
        stickyAdvanced: 0,
        eventsCreated: 0,
        durationMs: 5,
        maxLagSecs: 61,
        startedAt: '2026-01-01T00:00:00Z',
      },
      'prod',
      new Date('2026-01-01T00:00:01Z'),
    ) as {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Obj[] }> };
    };
    const [directive] = record._aws.CloudWatchMetrics;
    const emitted = directive!.Metrics.map((m) => m.Name);
    const byMetric = (name: string) => alarms.find((a) => a.props.MetricName === name)!;
    const lag = byMetric('AggregatorMaxLagSecs');
    const stalled = byMetric('AggregatorPasses');
    for (const alarm of [lag, stalled]) {
      expect(alarm.props.Namespace).toBe(EMF_NAMESPACE);
      expect(directive!.Namespace).toBe(EMF_NAMESPACE);
      expect(emitted).toContain(alarm.props.MetricName);
      // The alarm's dimensions are exactly the EMF dimension set, valued by the environment name.
      expect(alarm.props.Dimensions).toEqual([{ Name: 'Environment', Value: { Ref: 'EnvironmentName' } }]);
      expect(directive!.Dimensions).toEqual([['Environment']]);
    }
    expect(lag.props.Threshold).toEqual({ Ref: 'AggregatorLagThresholdSecs' });
    expect(stalled.props.Statistic).toBe('Sum');
    expect(stalled.props.TreatMissingData).toBe('breaching');
  });

  it('notify the SNS topic (given or created)', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    const topic = { 'Fn::If': ['CreateTopic', { Ref: 'AlarmTopic' }, { Ref: 'AlarmTopicArn' }] };
    for (const { name, props } of alarms) {
      expect([name, props.AlarmActions]).toEqual([name, [topic]]);
      expect([name, props.AlarmName]).toEqual([
        name,
        { 'Fn::Sub': expect.stringMatching(/^bedrock-cost-keeper-\$\{EnvironmentName\}-/) },
      ]);
    }
  });

  it('are each explained in docs/operations.md', () => {
    const ops = readFileSync('docs/operations.md', 'utf8');
    for (const { props } of alarms) {
      const suffix = ((props.AlarmName as Obj)['Fn::Sub'] as string).replace(
        'bedrock-cost-keeper-${EnvironmentName}-',
        '',
      );
      expect([suffix, ops.includes(`-${suffix}`)]).toEqual([suffix, true]);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// docs/operations.md
// ------------------------------------------------------------------------------------------------

/** Shell commands of the fenced code blocks, with backslash continuations joined. */
function shellCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) => b.replace(/\\\n/g, ' ').split('\n'));
}

describe('docs/operations.md', () => {
  const ops = readFileSync('docs/operations.md', 'utf8');
  const commands = shellCommands(ops);
  const master = template(MASTER).Parameters;

  it('names only parameters of the master template', () => {
    const named: string[] = [];
    for (const cmd of commands) {
      for (const m of cmd.matchAll(/ParameterKey=(\w+)/g)) named.push(m[1]!);
      const overrides = /--parameter-overrides\s+(.*)$/.exec(cmd)?.[1];
      if (overrides) {
        for (const token of overrides.split(/\s+/)) {
          if (token.startsWith('--')) break;
          const name = /^["']?(\w+)=/.exec(token)?.[1];
          if (name) named.push(name);
        }
      }
    }
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !(n in master))).toEqual([]);
    // The first deploy passes every parameter without a default.
    const required = Object.keys(master).filter((p) => master[p]!.Default === undefined);
    expect(required.filter((p) => !named.includes(p))).toEqual([]);
  });

  it('packages and deploys main.yaml, and covers rotation, scaling, alarms, PITR and logs', () => {
    expect(
      commands.some((c) => /aws cloudformation package .*--template-file cloudformation\/main\.yaml/.test(c)),
    ).toBe(true);
    expect(commands.some((c) => /aws cloudformation deploy .*--capabilities CAPABILITY_IAM/.test(c))).toBe(
      true,
    );
    for (const text of [
      'restore-table-to-point-in-time',
      'ActiveTableName',
      'put-secret-value',
      'force-new-deployment',
      'JWT_SECRET',
      'aws logs tail',
    ]) {
      expect([text, ops.includes(text)]).toEqual([text, true]);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// No account ids or secrets in the deployment files
// ------------------------------------------------------------------------------------------------

describe('deployment files', () => {
  const files = [...listFiles(CFN_DIR), ...listFiles('docs'), 'Dockerfile', '.dockerignore'].filter((f) =>
    existsSync(f),
  );
  /** AWS's documented example account ids, allowed in docs only. */
  const EXAMPLE_ACCOUNTS = new Set(['123456789012', '111122223333', '444455556666']);

  it.each(files)('%s holds no account id', (file) => {
    const ids = readFileSync(file, 'utf8').match(/(?<![\w-])\d{12}(?![\w-])/g) ?? [];
    const allowed = file.startsWith('docs') ? EXAMPLE_ACCOUNTS : new Set<string>();
    expect(ids.filter((id) => !allowed.has(id))).toEqual([]);
  });

  it.each(files)('%s holds nothing that looks like a real secret', (file) => {
    const text = readFileSync(file, 'utf8');
    const patterns = [
      /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/,
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /aws_secret_access_key\s*[=:]\s*\S{20,}/i,
      /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/,
      /(?:secret|password|passwd|api[_-]?key|jwt|token)[\w-]*["']?\s*[:=]\s*["']?(?![$<{])[A-Za-z0-9+/_=-]{24,}/i,
      /\bxox[abpr]-[\w-]{10,}/,
      /\bgh[pousr]_[A-Za-z0-9]{30,}/,
    ];
    expect(patterns.filter((p) => p.test(text)).map(String)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore
// ------------------------------------------------------------------------------------------------

interface Stage {
  from: string;
  name?: string;
  instructions: Array<{ op: string; args: string }>;
}

function dockerStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op || args === undefined) continue;
    if (op.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from: from!, ...(name ? { name } : {}), instructions: [] });
    } else if (stages.length > 0) stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

describe('Dockerfile', () => {
  const text = readFileSync('Dockerfile', 'utf8');
  const stages = dockerStages(text);
  const final = stages.at(-1)!;
  const finalArgs = (op: string) => final.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('is multi-stage on a current Node LTS image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      const m = /^node:(\d+)(?:[.-][\w.-]*)?$/.exec(s.from);
      expect([s.from, m !== null]).toEqual([s.from, true]);
      const major = Number(m![1]);
      // Even majors are the LTS lines; 20 left maintenance in April 2026.
      expect([s.from, major % 2 === 0 && major >= 22]).toEqual([s.from, true]);
    }
  });

  it('builds with npm ci + npm run build and ships production dependencies only', () => {
    const build = stages.find((s) =>
      s.instructions.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)),
    )!;
    expect(build).toBeDefined();
    expect(build.instructions.some((i) => i.op === 'RUN' && /npm ci(?!.*--omit)/.test(i.args))).toBe(true);
    const deps = stages.find((s) =>
      s.instructions.some((i) => i.op === 'RUN' && /npm ci .*--omit=dev/.test(i.args)),
    )!;
    expect(deps).toBeDefined();
    const copies = finalArgs('COPY');
    const nodeModules = copies.filter((c) => /node_modules/.test(c));
    expect(nodeModules).toEqual([expect.stringMatching(new RegExp(`^--from=${deps.name} `))]);
    expect(copies.some((c) => new RegExp(`^--from=${build.name} \\S*dist\\b`).test(c))).toBe(true);
    const plain = copies.filter((c) => !c.startsWith('--from')).join(' ');
    expect(plain).toMatch(/\bpackage\.json\b/);
    expect(plain).toMatch(/\bconfig\.yaml\b/);
    expect(
      final.instructions.some((i) => i.op === 'RUN' && /npm (ci|install)(?!.*--omit=dev)/.test(i.args)),
    ).toBe(false);
  });

  it('runs as a non-root user with the production environment', () => {
    const users = finalArgs('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const env = finalArgs('ENV').join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bWORKER=separate\b/);
  });

  it('starts the HTTP app by default and documents the worker command', () => {
    expect(finalArgs('CMD').map((c) => JSON.parse(c) as unknown)).toEqual([
      ['node', 'dist/apps/http/main.js'],
    ]);
    expect(text).toContain('node dist/apps/worker/main.js');
  });

  it('.dockerignore keeps local state out and everything the build needs in', () => {
    const patterns = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    /** A .dockerignore pattern (Go filepath.Match, plus `**`) as a regular expression. */
    const toRegex = (p: string) => {
      const literal = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\?/g, '[^/]');
      const body = p
        .replace(/^\/|\/$/g, '')
        .split('**')
        .map((part) => part.split('*').map(literal).join('[^/]*'))
        .join('.*');
      return new RegExp(`^${body}(/.*)?$`);
    };
    const ignored = (path: string) =>
      patterns.reduce(
        (acc, p) =>
          p.startsWith('!') ? (toRegex(p.slice(1)).test(path) ? false : acc) : toRegex(p).test(path) || acc,
        false,
      );
    for (const path of ['node_modules', '.git', '.data', 'dist', 'coverage', '.env']) {
      expect([path, ignored(path)]).toEqual([path, true]);
    }
    const buildConfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
    const needed = new Set([
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'config.yaml',
      'scripts/postbuild.mjs',
      'test/dynamo/dynamo-test-client.ts',
      ...buildConfig.include.map((p) => p.split('/')[0]!),
    ]);
    for (const path of needed) expect([path, ignored(path)]).toEqual([path, false]);
  });
});
