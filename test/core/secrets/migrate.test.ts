import { describe, expect, it } from 'vitest';
import { createParameterCatalogue } from '../../../src/core/secrets/catalogue.js';
import {
  type MigrateOptions,
  planMigration,
  prepareMigration,
  secretsSourceTagValue,
} from '../../../src/core/secrets/migrate.js';
import type { ParameterMetadata } from '../../../src/core/secrets/tools/types.js';
import { readTaskDefinitionDocument } from '../../../src/core/task-definition/parse.js';

const options: MigrateOptions = { valueFrom: 'arn', region: 'eu-west-1', accountId: '123456789012' };
const ROLE = 'arn:aws:iam::123456789012:role/exec';

function chamberTd(services: string[]) {
  return readTaskDefinitionDocument(
    {
      family: 'app',
      executionRoleArn: ROLE,
      containerDefinitions: [
        { name: 'a', image: 'a', entryPoint: ['chamber', 'exec', ...services, '--', 'node'] },
        { name: 'b', image: 'b', entryPoint: ['chamber', 'exec', services[0], '--', 'node'] },
      ],
    },
    'td.json',
  );
}

describe('prepareMigration', () => {
  it('collects each metadata query once, before any plan (two-phase, core stays pure)', () => {
    const prep = prepareMigration(chamberTd(['app', 'shared']), options);
    expect(prep.refusals).toEqual([]);
    expect(prep.queries).toEqual([
      { kind: 'path', path: '/app/', recursive: false },
      { kind: 'path', path: '/shared/', recursive: false },
    ]);
  });
});

describe('planMigration', () => {
  it('refuses a result over the 64 KiB limit (aws-facts.md §4.5) and suggests --value-from name', () => {
    const params: ParameterMetadata[] = Array.from({ length: 800 }, (_, i) => ({
      name: `/app/parameter-with-a-long-name-${i}`,
      type: 'String',
    }));
    const prep = prepareMigration(chamberTd(['app']), options);
    const result = planMigration(prep, createParameterCatalogue(params));
    expect(result.status).toBe('refused');
    expect(result.sizeBytes).toBeGreaterThan(65_536);
    expect(result.refusals[0]?.reason).toContain('--value-from name');
    expect(result.document).toBeUndefined();
  });

  it('is all or nothing: one refused container blocks the whole definition', () => {
    const prep = prepareMigration(chamberTd(['app', 'empty']), options);
    const result = planMigration(prep, createParameterCatalogue([{ name: '/app/x', type: 'String' }]));
    expect(result.status).toBe('refused');
    expect(result.document).toBeUndefined();
    expect(result.mappings).toEqual([]);
  });

  it('builds partition-aware ARNs when metadata has none (env-tools.md §0)', () => {
    const prep = prepareMigration(chamberTd(['app']), { ...options, region: 'cn-north-1' });
    const result = planMigration(prep, createParameterCatalogue([{ name: '/app/x', type: 'String' }]));
    expect(result.mappings[0]?.valueFrom).toBe('arn:aws-cn:ssm:cn-north-1:123456789012:parameter/app/x');
  });

  it('returns check-engine references pointing into the new document', () => {
    const prep = prepareMigration(chamberTd(['app']), options);
    const result = planMigration(prep, createParameterCatalogue([{ name: '/app/x', type: 'String' }]));
    expect(result.references[0]).toEqual({
      containerName: 'a',
      name: 'X',
      valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/x',
      source: 'secrets',
      path: 'containerDefinitions[0].secrets[0].valueFrom',
    });
    expect(result.mappings.map((m) => m.rule)).toEqual([
      'chamber: last segment, upper-case, - → _',
      'chamber: last segment, upper-case, - → _',
    ]);
  });

  it('a second run on its own output has nothing to do (idempotent)', () => {
    const prep = prepareMigration(chamberTd(['app']), options);
    const first = planMigration(prep, createParameterCatalogue([{ name: '/app/x', type: 'String' }]));
    const again = prepareMigration(readTaskDefinitionDocument(first.document, 'td.json'), options);
    expect(planMigration(again, createParameterCatalogue([])).status).toBe('nothing-to-do');
  });
});

describe('secretsSourceTagValue', () => {
  it.each([
    [['chamber:/app-prod/'], 'chamber:/app-prod/'],
    [['chamber:/a/', 'chamber:/b/'], 'chamber:/a/ chamber:/b/'],
  ])('%j → %s', (sources, value) => expect(secretsSourceTagValue(sources)).toBe(value));

  it('stays within the 256-character tag value limit', () => {
    const sources = Array.from({ length: 40 }, (_, i) => `ssm-env:/some/long/parameter/name/${i}`);
    const value = secretsSourceTagValue(sources);
    expect(value.length).toBeLessThanOrEqual(256);
    expect(value).toMatch(/\+\d+ more$/);
  });
});
