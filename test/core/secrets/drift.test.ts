import { describe, expect, it } from 'vitest';
import { createParameterCatalogue } from '../../../src/core/secrets/catalogue.js';
import {
  type DriftHome,
  findSecretsDriftIn,
  parseSecretsSourceTag,
  planSecretsSync,
  prepareSecretsDrift,
} from '../../../src/core/secrets/drift.js';
import { planMigration, prepareMigration } from '../../../src/core/secrets/migrate.js';
import type { ParameterMetadata } from '../../../src/core/secrets/tools/types.js';
import { readTaskDefinitionDocument } from '../../../src/core/task-definition/parse.js';

const home: DriftHome = { region: 'eu-west-1', account: '123456789012' };
const ARN = 'arn:aws:ssm:eu-west-1:123456789012:parameter';

interface ContainerSpec {
  name?: string;
  secrets?: [string, string][];
  environment?: [string, string][];
}

function td(tag: string | undefined, ...containers: ContainerSpec[]) {
  return readTaskDefinitionDocument(
    {
      taskDefinition: {
        family: 'billing',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        containerDefinitions: containers.map((c, i) => ({
          name: c.name ?? `c${i}`,
          image: 'app',
          ...(c.environment ? { environment: c.environment.map(([name, value]) => ({ name, value })) } : {}),
          ...(c.secrets ? { secrets: c.secrets.map(([name, valueFrom]) => ({ name, valueFrom })) } : {}),
        })),
      },
      tags: tag === undefined ? [] : [{ key: 'ecsops:secrets-source', value: tag }],
    },
    'billing:3',
  );
}

function params(...names: string[]): ParameterMetadata[] {
  return names.map((name) => ({ name, type: 'SecureString', keyId: 'alias/aws/ssm' }));
}

function drift(parsed: ReturnType<typeof td>, parameters: ParameterMetadata[]) {
  return findSecretsDriftIn(prepareSecretsDrift(parsed, home), createParameterCatalogue(parameters));
}

describe('parseSecretsSourceTag', () => {
  it.each([
    ['chamber:/billing/', { tool: 'chamber', kind: 'path', target: '/billing/', recursive: false }],
    ['chamber+strict:/billing/', { tool: 'chamber', strict: true }],
    ['chamber:secretsmanager:billing', { tool: 'chamber', kind: 'secret', target: 'billing' }],
    ['aws-env:/app/', { tool: 'aws-env', recursive: false }],
    ['aws-env+recursive:/app/', { tool: 'aws-env', recursive: true }],
    ['parameter-store-exec:/app', { tool: 'parameter-store-exec', recursive: true }],
    ['ssm-env:/app/DB', { tool: 'ssm-env', kind: 'name', target: '/app/DB' }],
    ['ssmwrap+prefix=app_:/shared/token', { tool: 'ssmwrap', kind: 'name', prefix: 'app_' }],
    [
      'ssmwrap+recursive+entirepath:/app',
      { tool: 'ssmwrap', kind: 'path', recursive: true, entirePath: true },
    ],
    ['ssmwrap+onelevel:/app', { tool: 'ssmwrap', kind: 'path', recursive: false }],
  ])('%s', (raw, expected) => {
    const { sources, problems } = parseSecretsSourceTag(raw);
    expect(problems).toEqual([]);
    expect(sources).toEqual([expect.objectContaining({ raw, ...expected })]);
  });

  it('names what it cannot read: unknown tools and options, a truncated tag', () => {
    const { sources, problems } = parseSecretsSourceTag('chamber:/a/ vault:/x chamber+fast:/b/ +3 more');
    expect(sources.map((s) => s.raw)).toEqual(['chamber:/a/']);
    expect(problems).toEqual([
      expect.stringContaining('"vault"'),
      expect.stringContaining('unknown option "fast"'),
      expect.stringContaining('3 source(s) are not recorded'),
    ]);
  });
});

describe('findSecretsDriftIn', () => {
  const migrated = (...extra: [string, string][]) =>
    td('chamber:/billing/', {
      name: 'app',
      secrets: [['DB_URL', `${ARN}/billing/db-url`], ['API_KEY', `${ARN}/billing/api_key`], ...extra],
    });

  it('asks for the recorded path only (DescribeParameters, one level for chamber)', () => {
    expect(prepareSecretsDrift(migrated(), home).queries).toEqual([
      { kind: 'path', path: '/billing/', recursive: false },
    ]);
  });

  it('is clean when the path still holds exactly the migrated parameters', () => {
    const result = drift(migrated(), params('/billing/db-url', '/billing/api_key'));
    expect(result).toMatchObject({ tagged: true, items: [], problems: [] });
  });

  it('names an added parameter with chamber’s env name and a deleted one with its env var', () => {
    const result = drift(migrated(), params('/billing/db-url', '/billing/new-flag'));
    expect(result.items).toEqual([
      {
        kind: 'deleted',
        container: 'app',
        name: 'API_KEY',
        parameter: '/billing/api_key',
        source: 'chamber:/billing/',
        valueFrom: `${ARN}/billing/api_key`,
      },
      {
        kind: 'added',
        container: 'app',
        name: 'NEW_FLAG',
        parameter: '/billing/new-flag',
        source: 'chamber:/billing/',
        valueFrom: `${ARN}/billing/new-flag`,
      },
    ]);
  });

  it('ignores hand-added secrets (outside the path, or renamed) and never reports them deleted', () => {
    const parsed = migrated(['EXTRA', `${ARN}/other/extra`], ['RENAMED', `${ARN}/billing/gone`]);
    const result = drift(parsed, params('/billing/db-url', '/billing/api_key'));
    expect(result.items).toEqual([]);
  });

  it('marks an added name already taken by a hand-added secret or an env entry as a conflict', () => {
    const parsed = td('chamber:/billing/', {
      name: 'app',
      secrets: [
        ['DB_URL', `${ARN}/billing/db-url`],
        ['TOKEN', `${ARN}/vault/token`],
      ],
      environment: [['MODE', 'prod']],
    });
    const result = drift(parsed, params('/billing/db-url', '/billing/token', '/billing/mode'));
    expect(result.items.map((i) => [i.name, i.kind, i.conflict])).toEqual([
      ['MODE', 'added', 'environment'],
      ['TOKEN', 'added', 'secret'],
    ]);
  });

  it('reports changed when a later chamber service now wins a name', () => {
    const parsed = td('chamber:/shared/ chamber:/billing/', {
      name: 'app',
      secrets: [
        ['DB_URL', `${ARN}/billing/db-url`],
        ['REGION', `${ARN}/shared/region`],
      ],
    });
    const result = drift(parsed, params('/billing/db-url', '/shared/region', '/billing/region'));
    expect(result.items).toEqual([
      expect.objectContaining({
        kind: 'changed',
        name: 'REGION',
        parameter: '/billing/region',
        previousParameter: '/shared/region',
        valueFrom: `${ARN}/billing/region`,
      }),
    ]);
  });

  it('a gone parameter whose name an earlier chamber service still has is changed, not deleted', () => {
    const parsed = td('chamber:/shared/ chamber:/billing/', {
      name: 'app',
      secrets: [['REGION', `${ARN}/billing/region`]],
    });
    const result = drift(parsed, params('/shared/region'));
    expect(result.items).toEqual([
      expect.objectContaining({
        kind: 'changed',
        name: 'REGION',
        parameter: '/shared/region',
        previousParameter: '/billing/region',
        detail: expect.stringContaining('is gone'),
      }),
    ]);
  });

  it('keeps the valueFrom style of the source: names stay names', () => {
    const parsed = td('chamber:/billing/', { name: 'app', secrets: [['DB_URL', '/billing/db-url']] });
    const result = drift(parsed, params('/billing/db-url', '/billing/x'));
    expect(result.items).toEqual([expect.objectContaining({ name: 'X', valueFrom: '/billing/x' })]);
  });

  it('under chamber --strict only the sentinel names count: a new key is not drift, a gone one is', () => {
    const parsed = td('chamber+strict:/billing/', {
      name: 'app',
      secrets: [['DB_URL', `${ARN}/billing/db-url`]],
    });
    expect(drift(parsed, params('/billing/db-url', '/billing/other')).items).toEqual([]);
    expect(drift(parsed, params('/billing/other')).items).toEqual([
      expect.objectContaining({ kind: 'deleted', name: 'DB_URL' }),
    ]);
  });

  it.each([
    [
      'parameter-store-exec:/app',
      [['DB_URL', `${ARN}/app/db/url`]],
      '/app/db/url',
      '/app/cache/host',
      'CACHE_HOST',
    ],
    ['aws-env+recursive:/app', [['db_url', `${ARN}/app/db_url`]], '/app/db_url', '/app/x/Port', 'x_Port'],
    [
      'ssmwrap+recursive+prefix=app_:/app',
      [['APP_DB', `${ARN}/app/db`]],
      '/app/db',
      '/app/y/token',
      'APP_TOKEN',
    ],
  ] as const)('%s: a new parameter gets the wrapper’s own name', (tag, secrets, existing, added, name) => {
    const parsed = td(tag, { name: 'app', secrets: secrets.map(([n, v]) => [n, v]) });
    const result = drift(parsed, params(existing, added));
    expect(result.items).toEqual([expect.objectContaining({ kind: 'added', name, parameter: added })]);
  });

  it('parameter-store-exec: an env var already set wins, so it is no drift', () => {
    const parsed = td('parameter-store-exec:/app', {
      name: 'app',
      secrets: [['DB_URL', `${ARN}/app/db/url`]],
      environment: [['MODE', 'x']],
    });
    expect(drift(parsed, params('/app/db/url', '/app/mode')).items).toEqual([]);
  });

  it('ssm-env names: only a deleted parameter is drift', () => {
    const parsed = td('ssm-env:/app/db', { name: 'app', secrets: [['DATABASE', `${ARN}/app/db`]] });
    const prep = prepareSecretsDrift(parsed, home);
    expect(prep.queries).toEqual([{ kind: 'names', names: ['/app/db'] }]);
    expect(drift(parsed, params('/app/db')).items).toEqual([]);
    expect(drift(parsed, []).items).toEqual([
      expect.objectContaining({ kind: 'deleted', name: 'DATABASE', parameter: '/app/db' }),
    ]);
  });

  it('chamber -b secretsmanager: keys are not compared (values), a secret that is gone is deleted', () => {
    const SM = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing-AbCdEf';
    const parsed = td('chamber:secretsmanager:billing', {
      name: 'app',
      secrets: [
        ['DB', `${SM}:db::`],
        ['OTHER', `arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-XyZabc`],
      ],
    });
    const prep = prepareSecretsDrift(parsed, home);
    expect(prep.queries).toEqual([{ kind: 'secret', secretId: 'billing' }]);
    const present = findSecretsDriftIn(prep, createParameterCatalogue([], [{ name: 'billing', arn: SM }]));
    expect(present.items).toEqual([]);
    expect(present.notes).toEqual([expect.stringContaining('only whether the secret still exists')]);
    const gone = findSecretsDriftIn(prep, createParameterCatalogue([]));
    expect(gone.items).toEqual([
      expect.objectContaining({ kind: 'deleted', name: 'DB', parameter: 'billing key db' }),
    ]);
    const denied = findSecretsDriftIn(prep, createParameterCatalogue([]), [
      'cannot describe secret billing (secretsmanager:DescribeSecret): not compared',
    ]);
    expect(denied.items).toEqual([]);
    expect(denied.problems).toHaveLength(1);
  });

  it('attributes each source to the container that reads it', () => {
    const parsed = td(
      'chamber:/web/ chamber:/worker/',
      { name: 'web', secrets: [['A', `${ARN}/web/a`]] },
      { name: 'worker', secrets: [['B', `${ARN}/worker/b`]] },
    );
    const result = drift(parsed, params('/web/a', '/web/c', '/worker/b'));
    expect(result.items).toEqual([expect.objectContaining({ container: 'web', name: 'C', kind: 'added' })]);
  });

  it('says when a source belongs to no container (several containers, none reads it)', () => {
    const parsed = td('chamber:/web/', { name: 'a' }, { name: 'b' });
    const result = drift(parsed, params('/web/a'));
    expect(result.problems).toEqual([expect.stringContaining('cannot tell which container')]);
  });

  it('with one container, a source whose every secret was removed still counts', () => {
    const parsed = td('chamber:/web/', { name: 'a' });
    expect(drift(parsed, params('/web/a')).items).toEqual([
      expect.objectContaining({ name: 'A', kind: 'added' }),
    ]);
  });

  it('reports a new ambiguous name (the wrapper would refuse) as a problem, not a guess', () => {
    const parsed = td('chamber:/app/', { name: 'app', secrets: [['A_B', `${ARN}/app/a_b`]] });
    const result = drift(parsed, params('/app/a_b', '/app/a-b'));
    expect(result.problems).toEqual([expect.stringContaining('all map to A_B')]);
  });

  it('an untagged definition has nothing to compare', () => {
    expect(drift(td(undefined, { name: 'app' }), [])).toMatchObject({ tagged: false, items: [] });
  });

  it('round-trips with migrate: a fresh migration has no drift', () => {
    const source = readTaskDefinitionDocument(
      {
        family: 'billing',
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        containerDefinitions: [
          { name: 'app', image: 'app', entryPoint: ['chamber', 'exec', 'billing', '--', 'node'] },
        ],
      },
      'td.json',
    );
    const parameters = params('/billing/db-url', '/billing/api_key');
    const migration = planMigration(
      prepareMigration(source, { valueFrom: 'arn', region: home.region, accountId: home.account }),
      createParameterCatalogue(parameters),
    );
    expect(migration.status).toBe('migrated');
    const registered = readTaskDefinitionDocument(
      {
        ...(migration.registerInput as object),
        tags: [{ key: 'ecsops:secrets-source', value: migration.sources.join(' ') }],
      },
      'new',
    );
    expect(drift(registered, parameters).items).toEqual([]);
  });
});

describe('planSecretsSync', () => {
  it('removes deleted, re-points changed, appends added; keeps hand-added secrets and the tag', () => {
    const parsed = td('chamber:/shared/ chamber:/billing/', {
      name: 'app',
      secrets: [
        ['HAND', `${ARN}/other/hand`],
        ['REGION', `${ARN}/shared/region`],
        ['OLD', `${ARN}/billing/old`],
      ],
    });
    const found = drift(parsed, params('/shared/region', '/billing/region', '/billing/new'));
    const plan = planSecretsSync(parsed, found);
    expect(plan.status).toBe('sync');
    const input = plan.registerInput as { containerDefinitions: { secrets: unknown[] }[]; tags: unknown[] };
    expect(input.containerDefinitions[0]?.secrets).toEqual([
      { name: 'HAND', valueFrom: `${ARN}/other/hand` },
      { name: 'REGION', valueFrom: `${ARN}/billing/region` },
      { name: 'NEW', valueFrom: `${ARN}/billing/new` },
    ]);
    expect(input.tags).toEqual([
      { key: 'ecsops:secrets-source', value: 'chamber:/shared/ chamber:/billing/' },
    ]);
    // After the sync the definition is clean.
    const synced = readTaskDefinitionDocument(plan.registerInput, 'synced');
    expect(drift(synced, params('/shared/region', '/billing/region', '/billing/new')).items).toEqual([]);
  });

  it('nothing to do when clean; conflicting additions are kept out and reported', () => {
    const parsed = td('chamber:/billing/', {
      name: 'app',
      secrets: [
        ['DB', `${ARN}/billing/db`],
        ['TOKEN', `${ARN}/vault/token`],
      ],
    });
    const plan = planSecretsSync(parsed, drift(parsed, params('/billing/db', '/billing/token')));
    expect(plan.status).toBe('nothing-to-do');
    expect(plan.kept).toEqual([expect.objectContaining({ name: 'TOKEN', conflict: 'secret' })]);
  });

  it('refuses an untagged definition and one with problems', () => {
    const untagged = td(undefined, { name: 'app' });
    expect(planSecretsSync(untagged, drift(untagged, [])).status).toBe('refused');
    const truncated = td('chamber:/a/ +2 more', { name: 'app', secrets: [['X', `${ARN}/a/x`]] });
    expect(planSecretsSync(truncated, drift(truncated, params('/a/x', '/a/y')))).toMatchObject({
      status: 'refused',
      refusals: [expect.stringContaining('not recorded')],
    });
  });
});
