// Fixture-driven migration tests: one file per wrapper variant under test/fixtures/migrate/, each
// citing the env-tools.md section it encodes. Expected values were written from the spec, not the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParameterCatalogue } from '../../../src/core/secrets/catalogue.js';
import { type MigrateOptions, planMigration, prepareMigration } from '../../../src/core/secrets/migrate.js';
import type { ParameterMetadata, SecretMetadata } from '../../../src/core/secrets/tools/types.js';
import { getField, isJsonObject } from '../../../src/core/task-definition/json.js';
import { readTaskDefinitionDocument } from '../../../src/core/task-definition/parse.js';

const dir = join(import.meta.dirname, '../../fixtures/migrate');

interface ExpectedContainer {
  name: string;
  entryPoint?: string[] | null;
  command?: string[] | null;
  environment?: { name: string; value: string }[] | null;
  secrets?: { name: string; valueFrom: string }[] | null;
}

interface Fixture {
  spec: string;
  description: string;
  options: Partial<MigrateOptions>;
  parameters: ParameterMetadata[];
  secrets: SecretMetadata[];
  input: unknown;
  expected: {
    status: 'migrated' | 'refused' | 'nothing-to-do';
    containers?: ExpectedContainer[];
    document?: unknown;
    registerInput?: unknown;
    collisions?: { name: string; winner: string; losers: string[] }[];
    warnings?: string[];
    refusals?: string[];
    sources?: string[];
    removedEnvironment?: string[];
    skippedSecrets?: string[];
  };
}

const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture] as const);

function run(f: Fixture) {
  const parsed = readTaskDefinitionDocument(f.input, 'fixture.json');
  const options: MigrateOptions = {
    valueFrom: 'arn',
    region: 'eu-west-1',
    accountId: '123456789012',
    ...f.options,
  };
  const prep = prepareMigration(parsed, options);
  return planMigration(prep, createParameterCatalogue(f.parameters, f.secrets));
}

function containerField(document: unknown, name: string, field: string): unknown {
  const list = Array.isArray(document)
    ? document
    : (getField(document as Record<string, unknown>, 'containerDefinitions')?.value as unknown[]);
  const c = list.find((x) => isJsonObject(x) && x.name === name);
  if (!isJsonObject(c)) throw new Error(`no container ${name}`);
  return getField(c, field)?.value ?? null;
}

describe('secrets migrate fixtures (test/fixtures/migrate)', () => {
  it('has a fixture per wrapper', () => {
    for (const tool of ['chamber', 'ssm-env', 'aws-env', 'ssmwrap', 'parameter-store-exec', 'shell']) {
      expect(fixtures.some(([n]) => n.startsWith(tool))).toBe(true);
    }
  });

  it.each(fixtures)('%s', (_name, f) => {
    const result = run(f);
    const e = f.expected;
    expect(
      { status: result.status, refusals: result.refusals.map((r) => r.reason) },
      `${f.spec}: ${f.description}`,
    ).toMatchObject({ status: e.status });
    for (const needle of e.refusals ?? []) {
      expect(result.refusals.map((r) => r.reason).join('\n')).toContain(needle);
    }
    for (const needle of e.warnings ?? []) expect(result.warnings.join('\n')).toContain(needle);
    if (e.status !== 'migrated') {
      expect(result.document).toBeUndefined();
      return;
    }
    for (const c of e.containers ?? []) {
      for (const field of ['entryPoint', 'command', 'environment', 'secrets'] as const) {
        if (c[field] !== undefined)
          expect(containerField(result.document, c.name, field), `${c.name}.${field}`).toEqual(c[field]);
      }
    }
    if (e.document !== undefined) expect(result.document).toEqual(e.document);
    if (e.registerInput !== undefined) expect(result.registerInput).toEqual(e.registerInput);
    if (e.sources !== undefined) expect(result.sources).toEqual(e.sources);
    if (e.collisions !== undefined) expect(result.collisions).toMatchObject(e.collisions);
    if (e.removedEnvironment !== undefined) {
      for (const n of e.removedEnvironment) expect(result.removedEnvironment.map((r) => r.name)).toContain(n);
    }
    if (e.skippedSecrets !== undefined)
      expect(result.skippedSecrets.map((r) => r.name)).toEqual(e.skippedSecrets);
    expect(result.sizeBytes).toBeGreaterThan(0);
    expect(result.mappings.length).toBe(result.references.length);
  });
});
