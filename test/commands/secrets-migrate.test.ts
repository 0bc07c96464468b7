import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MigrationCheck,
  runSecretsMigrate,
  type SecretsMigrateOptions,
} from '../../src/commands/secrets-migrate.js';
import type { SecretsCheckResult } from '../../src/core/secrets/check.js';
import { ExitCode, InterruptedError, PartialApplyError, UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestContext } from '../helpers/test-context.js';

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const sm = mockClient(SecretsManagerClient);

const ROLE = 'arn:aws:iam::123456789012:role/web-exec';
const TD_ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4';
const taskDefinition = {
  taskDefinitionArn: TD_ARN,
  family: 'web',
  revision: 4,
  status: 'ACTIVE',
  executionRoleArn: ROLE,
  ipcMode: 'task',
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
  registeredAt: new Date('2025-01-01T00:00:00Z'),
  containerDefinitions: [
    {
      name: 'web',
      image: 'example/web:1',
      entryPoint: ['/bin/chamber', '-r', '3', 'exec', 'web-prod', '--', 'node', 'server.js'],
      environment: [
        { name: 'PORT', value: '8080' },
        { name: 'CHAMBER_KMS_KEY_ALIAS', value: 'alias/parameter_store_key' },
      ],
    },
  ],
};

const okCheck: MigrationCheck = async () => ({ status: 'ok', rows: [], findings: [] });

function options(over: Partial<SecretsMigrateOptions> = {}): SecretsMigrateOptions {
  return {
    taskDef: 'web',
    inPlace: false,
    register: true,
    updateService: true,
    cluster: 'prod',
    service: 'web',
    wait: false,
    valueFrom: 'arn',
    skipCheck: false,
    dryRun: false,
    yes: true,
    ...over,
  };
}

function seed(td: unknown = taskDefinition) {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: td as never, tags: [{ key: 'team', value: 'web' }] });
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
        serviceName: 'web',
        status: 'ACTIVE',
        taskDefinition: TD_ARN,
      },
    ],
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => ({
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.family}:5`,
      revision: 5,
    },
  }));
  ecs.on(UpdateServiceCommand).resolves({});
  ssm.on(DescribeParametersCommand).resolves({
    Parameters: [
      { Name: '/web-prod/db-password', Type: 'SecureString', KeyId: 'alias/parameter_store_key' },
      { Name: '/web-prod/api-key', Type: 'String' },
    ],
  });
}

const writes = () =>
  ecs.commandCalls(RegisterTaskDefinitionCommand).length + ecs.commandCalls(UpdateServiceCommand).length;
const valueReads = () => ssm.calls().filter((c) => !(c.args[0] instanceof DescribeParametersCommand)).length;

beforeEach(() => {
  sm.reset();
  ecs.reset();
  ssm.reset();
  sts.reset();
});
afterEach(() => {
  ecs.reset();
  ssm.reset();
  sts.reset();
});

describe('secrets migrate --task-def --register --update-service', () => {
  it('apply: registers a stripped revision with tags and the source tag, updates the service, prints the rollback', async () => {
    seed();
    const t = createTestContext();
    expect(await runSecretsMigrate(options(), t.ctx, { check: okCheck })).toBe(ExitCode.ok);
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input).toEqual({
      family: 'web',
      executionRoleArn: ROLE,
      ipcMode: 'task',
      containerDefinitions: [
        {
          name: 'web',
          image: 'example/web:1',
          entryPoint: ['node', 'server.js'],
          environment: [{ name: 'PORT', value: '8080' }],
          secrets: [
            { name: 'API_KEY', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/web-prod/api-key' },
            {
              name: 'DB_PASSWORD',
              valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/web-prod/db-password',
            },
          ],
        },
      ],
      tags: [
        { key: 'team', value: 'web' },
        { key: 'ecsops:secrets-source', value: 'chamber:/web-prod/' },
      ],
    });
    // chamber's service is read one level deep with metadata only (env-tools.md §1).
    expect(ssm.commandCalls(DescribeParametersCommand)[0]?.args[0].input.ParameterFilters).toEqual([
      { Key: 'Path', Option: 'OneLevel', Values: ['/web-prod'] },
    ]);
    expect(valueReads()).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: 'web:5',
    });
    expect(t.stdout()).toContain(
      'Rollback: aws ecs update-service --region us-east-1 --cluster prod --service web --task-definition web:4',
    );
    expect(t.stderr()).toMatch(/DB_PASSWORD\s+\/web-prod\/db-password\s+chamber: last segment/);
  });

  it('--dry-run: plans, checks, and sends zero writes', async () => {
    seed();
    const t = createTestContext();
    expect(await runSecretsMigrate(options({ dryRun: true, yes: false }), t.ctx, { check: okCheck })).toBe(
      ExitCode.ok,
    );
    expect(writes()).toBe(0);
    expect(t.stderr()).toContain('Dry run: nothing was registered.');
  });

  it('declined at the prompt: nothing written', async () => {
    seed();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(
      runSecretsMigrate(options({ yes: false }), t.ctx, { check: okCheck }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toHaveLength(1);
    expect(writes()).toBe(0);
  });

  it('no terminal and no --yes: usage error, nothing written', async () => {
    seed();
    const t = createTestContext({ interactive: false });
    await expect(
      runSecretsMigrate(options({ yes: false }), t.ctx, { check: okCheck }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(writes()).toBe(0);
  });

  it('nothing to do: an already-migrated revision', async () => {
    seed({
      ...taskDefinition,
      containerDefinitions: [
        { name: 'web', image: 'x', entryPoint: ['node'], secrets: [{ name: 'A', valueFrom: '/a' }] },
      ],
    });
    const t = createTestContext({ global: { json: true } });
    expect(await runSecretsMigrate(options(), t.ctx, { check: okCheck })).toBe(ExitCode.ok);
    expect(JSON.parse(t.stdout())).toMatchObject({
      schemaVersion: 1,
      status: 'nothing-to-do',
    });
    expect(writes()).toBe(0);
  });

  it('failure half way: registered, service update failed -> partial error naming the finishing command', async () => {
    seed();
    ecs
      .on(UpdateServiceCommand)
      .rejects(
        Object.assign(new Error('service is draining'), { name: 'InvalidParameterException', $metadata: {} }),
      );
    const t = createTestContext();
    const err = await runSecretsMigrate(options(), t.ctx, { check: okCheck }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialApplyError);
    expect((err as PartialApplyError).hint).toContain('--task-definition web:5');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('Ctrl-C after the register: the service is not touched, exit 130, the finishing command is printed', async () => {
    seed();
    const t = createTestContext();
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => {
      t.abort.abort();
      return {
        taskDefinition: {
          taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.family}:5`,
          revision: 5,
        },
      };
    });
    expect(await runSecretsMigrate(options(), t.ctx, { check: okCheck })).toBe(ExitCode.interrupted);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(t.stdout()).toContain('Registered arn:aws:ecs:us-east-1:123456789012:task-definition/web:5');
    expect(t.stdout()).toContain('service prod/web was not updated');
    expect(t.stderr()).toContain('--task-definition web:5');
  });

  it('--wait: a deployment that does not settle is a finding (exit 1) with the rollback command', async () => {
    seed();
    let describeCalls = 0;
    ecs.on(DescribeServicesCommand).callsFake(() => {
      describeCalls++;
      // The first read is the plan; the waiter's polls then see the service draining (a waiter failure state).
      const status = describeCalls === 1 ? 'ACTIVE' : 'DRAINING';
      return {
        services: [
          {
            serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
            serviceName: 'web',
            status,
            taskDefinition: TD_ARN,
          },
        ],
      };
    });
    const t = createTestContext();
    expect(await runSecretsMigrate(options({ wait: true }), t.ctx, { check: okCheck })).toBe(
      ExitCode.findings,
    );
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(t.stderr()).toContain('did not become stable');
    expect(t.stderr()).toMatch(/roll back with: aws ecs update-service .*--task-definition web:4/);
  });

  it('check fails: does not register, exits 1 and prints the --fix policy', async () => {
    seed();
    const failing: SecretsCheckResult = {
      status: 'findings',
      rows: [],
      findings: [
        {
          code: 'execution-role-cannot-decrypt',
          severity: 'error',
          containerName: 'web',
          name: 'DB_PASSWORD',
          message: 'web-exec cannot kms:Decrypt with alias/parameter_store_key',
          remediation: 'grant kms:Decrypt',
        },
      ],
      fix: {
        roleArn: ROLE,
        policyName: 'ecsops-secrets',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kms:Decrypt'],
              Resource: ['arn:aws:kms:us-east-1:123456789012:key/k'],
            },
          ],
        } as never,
        keyPolicyStatements: [],
      },
    };
    const t = createTestContext();
    expect(await runSecretsMigrate(options(), t.ctx, { check: async () => failing })).toBe(ExitCode.findings);
    expect(writes()).toBe(0);
    expect(t.stderr()).toContain('execution-role-cannot-decrypt');
    expect(t.stdout()).toContain('"kms:Decrypt"');
  });

  it('--skip-check warns loudly and registers without calling the check', async () => {
    seed();
    const t = createTestContext();
    let called = false;
    const check: MigrationCheck = async () => {
      called = true;
      return { status: 'ok', rows: [], findings: [] };
    };
    expect(
      await runSecretsMigrate(
        options({ skipCheck: true, updateService: false, cluster: undefined, service: undefined }),
        t.ctx,
        { check },
      ),
    ).toBe(ExitCode.ok);
    expect(called).toBe(false);
    expect(t.stderr()).toContain('--skip-check: NOT verifying');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('chamber -b secretsmanager --strict: DescribeSecret gives the full ARN; the value is never read', async () => {
    seed({
      ...taskDefinition,
      containerDefinitions: [
        {
          name: 'web',
          image: 'x',
          entryPoint: ['chamber', '-b', 'secretsmanager', 'exec', '--strict', 'web', '--', 'node'],
          environment: [{ name: 'DB_PASSWORD', value: 'chamberme' }],
        },
      ],
    });
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web-AbC123';
    sm.on(DescribeSecretCommand).resolves({ ARN: secretArn, Name: 'web' });
    sm.on(GetResourcePolicyCommand).resolves({});
    const t = createTestContext();
    const code = await runSecretsMigrate(
      options({ updateService: false, cluster: undefined, service: undefined }),
      t.ctx,
      {
        check: okCheck,
      },
    );
    expect(code).toBe(ExitCode.ok);
    expect(
      ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input.containerDefinitions?.[0]?.secrets,
    ).toEqual([{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:db_password::` }]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refusal: exits 1, writes nothing, names the reason', async () => {
    seed({
      ...taskDefinition,
      containerDefinitions: [
        { name: 'web', image: 'x', entryPoint: ['chamber', 'exec', 'app:prod', '--', 'node'] },
      ],
    });
    const t = createTestContext();
    expect(await runSecretsMigrate(options(), t.ctx, { check: okCheck })).toBe(ExitCode.findings);
    expect(t.stderr()).toContain('selects a label');
    expect(writes()).toBe(0);
  });
});

describe('secrets migrate --file', () => {
  const dir = tempDir('ecsops-migrate-');
  const fileText = `${JSON.stringify(
    [
      {
        name: 'web',
        image: 'x',
        entrypoint: ['ssm-env', '-with-decryption', 'node'],
        environment: [{ name: 'TOKEN', value: 'ssm:///web/token' }],
      },
    ],
    null,
    4,
  )}\n`;
  const paramsFile = join(dir, 'params.json');
  writeFileSync(
    paramsFile,
    JSON.stringify({ Parameters: [{ Name: '/web/token', Type: 'SecureString', KeyId: 'alias/aws/ssm' }] }),
  );
  const fileOptions = (file: string, over: Partial<SecretsMigrateOptions> = {}) =>
    options({
      taskDef: undefined,
      file,
      register: false,
      updateService: false,
      cluster: undefined,
      service: undefined,
      paramsFile,
      executionRole: ROLE,
      ...over,
    });

  it('offline with --params-file: prints the new file in the same shape and key spelling, no AWS call', async () => {
    const file = join(dir, 'containers.json');
    writeFileSync(file, fileText);
    const t = createTestContext();
    expect(await runSecretsMigrate(fileOptions(file), t.ctx)).toBe(ExitCode.ok);
    const printed = JSON.parse(t.stdout()) as unknown;
    expect(printed).toEqual([
      {
        name: 'web',
        image: 'x',
        entrypoint: ['node'],
        secrets: [{ name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/web/token' }],
      },
    ]);
    expect(t.stdout()).toMatch(/^\[\n {4}\{/);
    expect(ecs.calls().length + ssm.calls().length + sts.calls().length).toBe(0);
  });

  it('--in-place: atomic rewrite with a .bak of the original; --dry-run leaves the file alone', async () => {
    const file = join(dir, 'inplace.json');
    writeFileSync(file, fileText);
    await runSecretsMigrate(fileOptions(file, { inPlace: true, dryRun: true }), createTestContext().ctx);
    expect(readFileSync(file, 'utf8')).toBe(fileText);
    await runSecretsMigrate(fileOptions(file, { inPlace: true }), createTestContext().ctx);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(fileText);
    expect(readFileSync(file, 'utf8')).toContain('"secrets"');
  });

  it('--json: one report document with the mapping table and the new definition', async () => {
    const file = join(dir, 'json.json');
    writeFileSync(file, fileText);
    const t = createTestContext({ global: { json: true } });
    await runSecretsMigrate(fileOptions(file), t.ctx);
    const doc = JSON.parse(t.stdout()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      schemaVersion: 1,
      status: 'migrated',
      mappings: [{ container: 'web', name: 'TOKEN', parameter: '/web/token', tool: 'ssm-env' }],
      sources: ['ssm-env:/web/token'],
    });
    expect(Array.isArray(doc.taskDefinition)).toBe(true);
  });

  it.each<[string, Partial<SecretsMigrateOptions>]>([
    ['no source', { file: undefined }],
    ['--in-place with --out', { inPlace: true, out: 'x.json' }],
    ['--update-service without --register', { updateService: true, cluster: 'c', service: 's' }],
    ['--params-file with --register', { register: true }],
    ['--wait without --update-service', { wait: true }],
  ])('usage error: %s', async (_name, over) => {
    await expect(
      runSecretsMigrate(fileOptions(join(dir, 'x.json'), over), createTestContext().ctx),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
