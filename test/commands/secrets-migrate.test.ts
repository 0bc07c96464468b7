import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
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
import { type SecretsMigrateFlags, toSecretsMigrateOptions } from '../../src/cli/groups/secrets-migrate.js';
import type { TaskDefinitionSecretsReport } from '../../src/commands/secrets-check.js';
import {
  type MigrationCheck,
  migrateCommandLine,
  runSecretsMigrate,
  type SecretsMigrateDeps,
  type SecretsMigrateOptions,
  type SecretsMigrateResult,
} from '../../src/commands/secrets-migrate.js';
import type { SecretsCheckResult } from '../../src/core/secrets/check.js';
import { AwsError, ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { present } from '../../src/output/present.js';
import { secretsMigrateView } from '../../src/output/secrets-migrate.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const sm = mockClient(SecretsManagerClient);
const iam = mockClient(IAMClient);

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/web-exec`;
const tdArn = (rev: number) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:${rev}`;
const TD_ARN = tdArn(4);
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

/** A check report as the secrets check engine returns it, around `result`. */
function report(result: SecretsCheckResult): TaskDefinitionSecretsReport {
  return {
    label: 'web (new revision)',
    region: 'us-east-1',
    account: ACCOUNT,
    input: {
      region: 'us-east-1',
      account: ACCOUNT,
      references: [],
      executionRoleArn: ROLE,
      roles: {},
      parameters: {},
      secrets: {},
      keys: {},
    },
    result,
  };
}
const okCheck: MigrationCheck = async () => report({ status: 'ok', rows: [], findings: [] });

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
    policyName: 'ecsops-secrets-web',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'KmsDecrypt',
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/k`],
        },
      ],
    } as never,
    keyPolicyStatements: [],
  },
};

function options(over: Partial<SecretsMigrateOptions> = {}): SecretsMigrateOptions {
  return {
    source: { kind: 'registered', taskDef: 'web' },
    output: { kind: 'stdout' },
    apply: { kind: 'register', check: 'verify', updateService: { cluster: 'prod', service: 'web' } },
    valueFrom: 'arn',
    dryRun: false,
    yes: true,
    ...over,
  };
}
const registerOnly: SecretsMigrateOptions['apply'] = { kind: 'register', check: 'verify' };

/** Runs the command and renders its result as the CLI does; returns the exit code and the result. */
async function migrate(
  t: TestContext,
  opts: SecretsMigrateOptions,
  deps: SecretsMigrateDeps = { check: okCheck },
): Promise<{ code: ExitCode; result: SecretsMigrateResult }> {
  const result = await runSecretsMigrate(opts, t.ctx, deps);
  return { code: present(t.ctx.out, result, secretsMigrateView), result };
}

const service = (td: string) => ({
  services: [
    {
      serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/web`,
      serviceName: 'web',
      status: 'ACTIVE',
      taskDefinition: td,
    },
  ],
});

function seed(td: unknown = taskDefinition) {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: td as never, tags: [{ key: 'team', value: 'web' }] });
  ecs.on(DescribeServicesCommand).resolves(service(TD_ARN));
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => ({
    taskDefinition: { taskDefinitionArn: tdArn(5), family: input.family, revision: 5 },
  }));
  ecs.on(UpdateServiceCommand).resolves({});
  ssm.on(DescribeParametersCommand).resolves({
    Parameters: [
      { Name: '/web-prod/db-password', Type: 'SecureString', KeyId: 'alias/parameter_store_key' },
      { Name: '/web-prod/api-key', Type: 'String' },
    ],
  });
}

/**
 * What DescribeTaskDefinition returns for the revision a first run registered: the register input
 * plus the read-only fields and the defaults ECS fills in (`essential`, `cpu`, empty lists).
 */
function registeredRevision(input: Record<string, unknown>, revision: number) {
  const { tags, ...td } = input as { tags: { key: string; value: string }[] };
  const containers = (td as { containerDefinitions: Record<string, unknown>[] }).containerDefinitions;
  return {
    taskDefinition: {
      ...td,
      containerDefinitions: containers.map((c) => ({
        cpu: 0,
        essential: true,
        portMappings: [],
        mountPoints: [],
        volumesFrom: [],
        ...c,
      })),
      volumes: [],
      placementConstraints: [],
      taskDefinitionArn: tdArn(revision),
      revision,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'ecs.capability.secrets.ssm.environment-variables' }],
      registeredAt: new Date('2025-02-01T00:00:00Z'),
    } as never,
    tags,
  };
}

const registerCalls = () => ecs.commandCalls(RegisterTaskDefinitionCommand);
const updateCalls = () => ecs.commandCalls(UpdateServiceCommand);
const writes = () =>
  registerCalls().length + updateCalls().length + iam.commandCalls(PutRolePolicyCommand).length;
const valueReads = () => ssm.calls().filter((c) => !(c.args[0] instanceof DescribeParametersCommand)).length;

beforeEach(() => {
  for (const m of [sm, ecs, ssm, sts, iam]) m.reset();
});
afterEach(() => {
  for (const m of [sm, ecs, ssm, sts, iam]) m.reset();
});

describe('secrets migrate --task-def --register --update-service', () => {
  it('apply: registers a stripped revision with tags and the source tag, updates the service, prints the rollback', async () => {
    seed();
    const t = createTestContext();
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.ok);
    expect(result.status).toBe('migrated');
    const input = registerCalls()[0]?.args[0].input;
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
            { name: 'API_KEY', valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/web-prod/api-key` },
            {
              name: 'DB_PASSWORD',
              valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/web-prod/db-password`,
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
    expect(updateCalls()[0]?.args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: 'web:5',
    });
    expect(result.rollbackCommand).toBe(
      'aws ecs update-service --region us-east-1 --cluster prod --service web --task-definition web:4',
    );
    expect(t.stdout()).toContain(`Rollback: ${result.rollbackCommand}`);
    expect(t.stdout()).toContain(`Registered ${tdArn(5)}`);
    expect(t.stderr()).toMatch(/DB_PASSWORD\s+\/web-prod\/db-password\s+chamber: last segment/);
    expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
      ['register', 'applied'],
      ['update-service', 'applied'],
    ]);
  });

  it('--dry-run: plans, checks, and sends zero writes', async () => {
    seed();
    const t = createTestContext();
    const { code, result } = await migrate(t, options({ dryRun: true, yes: false }));
    expect(code).toBe(ExitCode.ok);
    expect(writes()).toBe(0);
    expect(result.apply?.mode).toBe('dry-run');
    expect(t.stderr()).toContain('Dry run: nothing was registered.');
  });

  it('declined at the prompt: nothing written', async () => {
    seed();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(
      runSecretsMigrate(options({ yes: false }), t.ctx, { check: okCheck }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toEqual(['Apply: register a new revision of web, then point prod/web at it?']);
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
    expect((await migrate(t, options())).code).toBe(ExitCode.ok);
    expect(JSON.parse(t.stdout())).toMatchObject({ schemaVersion: 1, status: 'nothing-to-do' });
    expect(writes()).toBe(0);
  });

  it('failure half way (#24): registered, service update failed -> exit 4 with the revision and the finishing command', async () => {
    seed();
    ecs
      .on(UpdateServiceCommand)
      .rejects(
        Object.assign(new Error('service is draining'), { name: 'InvalidParameterException', $metadata: {} }),
      );
    const t = createTestContext({ global: { json: true } });
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.partial);
    expect(result.status).toBe('partial');
    expect(result.registered).toEqual({ taskDefinitionArn: tdArn(5), revision: 5 });
    expect(result.finishCommand).toBe(
      'aws ecs update-service --region us-east-1 --cluster prod --service web --task-definition web:5',
    );
    expect(registerCalls()).toHaveLength(1);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      status: 'partial',
      registered: { taskDefinitionArn: tdArn(5) },
      service: { status: 'failed', taskDefinition: 'web:5', previousTaskDefinition: 'web:4' },
      finishCommand: result.finishCommand,
      counts: { applied: 1, failed: 1 },
    });
    expect(doc.service.error).toContain('service is draining');
  });

  it('register fails (#24): exit 3, 0 applied, the service is not touched', async () => {
    seed();
    ecs
      .on(RegisterTaskDefinitionCommand)
      .rejects(Object.assign(new Error('Too many revisions'), { name: 'ClientException', $metadata: {} }));
    const t = createTestContext();
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.aws);
    expect(result.status).toBe('failed');
    expect(result.apply?.counts).toMatchObject({ applied: 0, failed: 1, skipped: 1 });
    expect(updateCalls()).toHaveLength(0);
    expect(result.finishCommand).toBeUndefined();
  });

  it('Ctrl-C after the register: the service is not touched, exit 130, the finishing command is printed', async () => {
    seed();
    const t = createTestContext();
    ecs.on(RegisterTaskDefinitionCommand).callsFake(() => {
      t.abort.abort();
      return { taskDefinition: { taskDefinitionArn: tdArn(5), revision: 5 } };
    });
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.interrupted);
    expect(result.status).toBe('interrupted');
    expect(updateCalls()).toHaveLength(0);
    expect(t.stdout()).toContain(`Registered ${tdArn(5)}`);
    expect(t.stdout()).toContain('service prod/web was not updated');
    expect(t.stderr()).toContain('--task-definition web:5');
  });

  it('Ctrl-C while still reading (#2): a --yes run registers nothing', async () => {
    seed();
    const t = createTestContext();
    ssm.on(DescribeParametersCommand).callsFake(() => {
      t.abort.abort();
      return { Parameters: [{ Name: '/web-prod/api-key', Type: 'String' }] };
    });
    await expect(runSecretsMigrate(options(), t.ctx, { check: okCheck })).rejects.toThrow(
      new InterruptedError('Interrupted while reading: nothing was changed.'),
    );
    expect(writes()).toBe(0);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
  });

  it('--wait: a deployment that does not settle is a finding (exit 1) with the rollback command', async () => {
    seed();
    let describeCalls = 0;
    ecs.on(DescribeServicesCommand).callsFake(() => {
      describeCalls++;
      // The first read is the plan; the waiter's polls then see the service draining (a waiter failure state).
      const s = service(TD_ARN);
      if (describeCalls > 1 && s.services[0]) s.services[0].status = 'DRAINING';
      return s;
    });
    const t = createTestContext();
    const { code, result } = await migrate(
      t,
      options({
        apply: {
          kind: 'register',
          check: 'verify',
          updateService: { cluster: 'prod', service: 'web', wait: { timeoutSeconds: 900 } },
        },
      }),
    );
    expect(code).toBe(ExitCode.findings);
    expect(result.status).toBe('not-stable');
    expect(updateCalls()).toHaveLength(1);
    expect(t.stderr()).toContain('did not become stable');
    expect(t.stderr()).toMatch(/roll back with: aws ecs update-service .*--task-definition web:4/);
  });

  it('--wait-timeout (#23) reaches the waiter', async () => {
    seed();
    const t = createTestContext();
    const waits: unknown[][] = [];
    const aws = t.ctx.aws;
    t.ctx.aws = {
      ...aws,
      ecs: async (region) => ({
        ...(await aws.ecs(region)),
        waitForServicesStable: async (...args) => {
          waits.push(args);
        },
      }),
    };
    const { code, result } = await migrate(
      t,
      options({
        apply: {
          kind: 'register',
          check: 'verify',
          updateService: { cluster: 'prod', service: 'web', wait: { timeoutSeconds: 42 } },
        },
      }),
    );
    expect(code).toBe(ExitCode.ok);
    expect(waits).toEqual([['prod', ['web'], 42, t.ctx.signal]]);
    expect(result.wait).toEqual({ timeoutSeconds: 42, stable: true });
    expect(t.stderr()).toContain('Waiting up to 42 s for web to become stable');
  });

  it('Ctrl-C during --wait ends the wait at once: the update is reported applied, exit 130', async () => {
    seed();
    const t = createTestContext();
    const aws = t.ctx.aws;
    t.ctx.aws = {
      ...aws,
      ecs: async (region) => ({
        ...(await aws.ecs(region)),
        // Like the SDK waiter: rejects when its abort signal fires, not before.
        waitForServicesStable: (_cluster, _services, _seconds, signal) =>
          new Promise<void>((_resolve, reject) => {
            signal?.addEventListener('abort', () => reject(new Error('aborted')));
            t.abort.abort();
          }),
      }),
    };
    const { code, result } = await migrate(
      t,
      options({
        apply: {
          kind: 'register',
          check: 'verify',
          updateService: { cluster: 'prod', service: 'web', wait: { timeoutSeconds: 900 } },
        },
      }),
    );
    expect(code).toBe(ExitCode.interrupted);
    expect(updateCalls()).toHaveLength(1);
    expect(result.wait?.stable).toBe(false);
    expect(result.status).not.toBe('not-stable');
  });

  it('check fails: does not register, exits 1, prints the --fix policy and the exact next command (#21)', async () => {
    seed();
    const t = createTestContext();
    const { code, result } = await migrate(t, options(), { check: async () => report(failing) });
    expect(code).toBe(ExitCode.findings);
    expect(writes()).toBe(0);
    expect(t.stderr()).toContain('execution-role-cannot-decrypt');
    expect(t.stdout()).toContain('"kms:Decrypt"');
    expect(result.nextCommand).toBe(
      'ecsops --region us-east-1 secrets migrate --task-def web --register --update-service --cluster prod --service web --apply-fix --yes',
    );
    expect(t.stderr()).toContain(result.nextCommand);
  });

  it('the next command quotes what a shell would split or expand', () => {
    const line = migrateCommandLine(
      options({
        source: { kind: 'file', path: "my team's/web.json" },
        output: { kind: 'in-place' },
        imageEntryPoint: ['/bin/chamber', 'exec', 'web prod', '--'],
        yes: false,
        apply: {
          kind: 'register',
          check: 'verify',
          updateService: { cluster: 'prod', service: 'web', wait: { timeoutSeconds: 60 } },
        },
      }),
      'eu-west-1',
      ['--apply-fix'],
    );
    expect(line).toBe(
      `ecsops --region eu-west-1 secrets migrate --file 'my team'\\''s/web.json' --in-place --image-entrypoint '["/bin/chamber","exec","web prod","--"]' --register --update-service --cluster prod --service web --wait --wait-timeout 60 --apply-fix`,
    );
  });

  it('check fails under --json (#19): status check-failed with the refusals, not "migrated"', async () => {
    seed();
    const t = createTestContext({ global: { json: true } });
    const { code } = await migrate(t, options(), { check: async () => report(failing) });
    expect(code).toBe(ExitCode.findings);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      status: 'check-failed',
      refusals: [
        {
          container: 'web',
          reason:
            'DB_PASSWORD execution-role-cannot-decrypt: web-exec cannot kms:Decrypt with alias/parameter_store_key',
        },
      ],
      check: { status: 'findings' },
      nextCommand: expect.stringContaining('--apply-fix'),
    });
    expect(writes()).toBe(0);
  });

  it('--apply-fix (#21): puts the inline policy, re-checks, then registers and updates, in that order', async () => {
    seed();
    const order: string[] = [];
    iam.on(PutRolePolicyCommand).callsFake(() => {
      order.push('PutRolePolicy');
      return {};
    });
    ecs.on(RegisterTaskDefinitionCommand).callsFake(() => {
      order.push('RegisterTaskDefinition');
      return { taskDefinition: { taskDefinitionArn: tdArn(5), revision: 5 } };
    });
    ecs.on(UpdateServiceCommand).callsFake(() => {
      order.push('UpdateService');
      return {};
    });
    let checks = 0;
    const check: MigrationCheck = async () => {
      checks++;
      order.push('check');
      return checks === 1 ? report(failing) : report({ status: 'ok', rows: [], findings: [] });
    };
    const t = createTestContext({ global: { json: true } });
    const apply = {
      kind: 'register',
      check: 'fix',
      updateService: { cluster: 'prod', service: 'web' },
    } as const;
    const { code, result } = await migrate(t, options({ apply }), { check });
    expect(code).toBe(ExitCode.ok);
    expect(order).toEqual(['check', 'PutRolePolicy', 'check', 'RegisterTaskDefinition', 'UpdateService']);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input).toMatchObject({
      RoleName: 'web-exec',
      PolicyName: 'ecsops-secrets-web',
    });
    expect(result.recheck?.status).toBe('ok');
    const doc = JSON.parse(t.stdout());
    expect(doc.status).toBe('migrated');
    expect(doc.changes.map((c: { kind: string; status: string }) => [c.kind, c.status])).toEqual([
      ['put-role-policy', 'applied'],
      ['register', 'applied'],
      ['update-service', 'applied'],
    ]);
  });

  it('--apply-fix --dry-run: shows the policy and the register, sends zero writes', async () => {
    seed();
    const t = createTestContext();
    const { code, result } = await migrate(
      t,
      options({ dryRun: true, yes: false, apply: { kind: 'register', check: 'fix' } }),
      { check: async () => report(failing) },
    );
    expect(code).toBe(ExitCode.ok);
    expect(writes()).toBe(0);
    expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
      ['put-role-policy', 'planned'],
      ['register', 'planned'],
    ]);
    expect(t.stdout()).toContain('+ iam:PutRolePolicy');
  });

  it('--apply-fix: still failing after the fix -> check-failed, nothing registered, the applied fix is reported', async () => {
    seed();
    iam.on(PutRolePolicyCommand).resolves({});
    const t = createTestContext();
    const { code, result } = await migrate(t, options({ apply: { kind: 'register', check: 'fix' } }), {
      check: async () => report(failing),
    });
    expect(code).toBe(ExitCode.findings);
    expect(result.status).toBe('check-failed');
    expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
      ['put-role-policy', 'applied'],
    ]);
    expect(registerCalls()).toHaveLength(0);
    expect(result.nextCommand).toBeUndefined();
  });

  it('--apply-fix: the re-check after the fix fails (throttling) -> exit 4, the put policy is still reported', async () => {
    seed();
    iam.on(PutRolePolicyCommand).resolves({});
    let checks = 0;
    const check: MigrationCheck = async () => {
      if (++checks === 1) return report(failing);
      throw new AwsError({
        operation: 'iam:GetRole',
        iamAction: 'iam:GetRole',
        code: 'Throttling',
        message: 'Rate exceeded',
      });
    };
    const t = createTestContext({ global: { json: true } });
    const { code } = await migrate(t, options({ apply: { kind: 'register', check: 'fix' } }), { check });
    expect(code).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      status: 'partial',
      recheckError: expect.stringContaining('Rate exceeded'),
      counts: { applied: 1, skipped: 1 },
    });
    expect(doc.changes.map((c: { kind: string; status: string }) => [c.kind, c.status])).toEqual([
      ['put-role-policy', 'applied'],
      ['register', 'skipped'],
    ]);
    expect(registerCalls()).toHaveLength(0);
  });

  it('--apply-fix: the policy cannot be put -> exit 3, the register is skipped and says why', async () => {
    seed();
    iam
      .on(PutRolePolicyCommand)
      .rejects(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    const t = createTestContext();
    const { code, result } = await migrate(t, options({ apply: { kind: 'register', check: 'fix' } }), {
      check: async () => report(failing),
    });
    expect(code).toBe(ExitCode.aws);
    expect(result.status).toBe('failed');
    expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status, o.reason])).toEqual([
      ['put-role-policy', 'failed', expect.stringContaining('denied')],
      ['register', 'skipped', 'the execution role fix was not applied'],
    ]);
    expect(registerCalls()).toHaveLength(0);
  });

  it('--apply-fix declined at the policy question: nothing is put or registered', async () => {
    seed();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(
      runSecretsMigrate(options({ yes: false, apply: { kind: 'register', check: 'fix' } }), t.ctx, {
        check: async () => report(failing),
      }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toEqual(['Put 1 inline policy(ies)?']);
    expect(writes()).toBe(0);
  });

  it('--apply-fix: declined at the register question after the policy was put -> the result says the policy stays', async () => {
    seed();
    iam.on(PutRolePolicyCommand).resolves({});
    const answers = [true, false];
    const t = createTestContext({ interactive: true });
    t.ctx.confirm = async (question) => {
      t.prompts.push(question);
      return answers.shift() ?? false;
    };
    let checks = 0;
    const check: MigrationCheck = async () =>
      ++checks === 1 ? report(failing) : report({ status: 'ok', rows: [], findings: [] });
    const { code, result } = await migrate(
      t,
      options({ yes: false, apply: { kind: 'register', check: 'fix' } }),
      { check },
    );
    expect(t.prompts).toEqual(['Put 1 inline policy(ies)?', 'Apply: register a new revision of web?']);
    expect(code).toBe(ExitCode.interrupted);
    expect(result.declined).toBe(true);
    expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
      ['put-role-policy', 'applied'],
      ['register', 'not-started'],
    ]);
    expect(registerCalls()).toHaveLength(0);
    expect(t.stderr()).toContain('the inline policy put above stays');
  });

  it('--skip-check warns loudly and registers without calling the check', async () => {
    seed();
    const t = createTestContext();
    let called = false;
    const check: MigrationCheck = async () => {
      called = true;
      return report({ status: 'ok', rows: [], findings: [] });
    };
    const { code } = await migrate(t, options({ apply: { kind: 'register', check: 'skip' } }), { check });
    expect(code).toBe(ExitCode.ok);
    expect(called).toBe(false);
    expect(t.stderr()).toContain('--skip-check: NOT verifying');
    expect(registerCalls()).toHaveLength(1);
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
    const secretArn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web-AbC123`;
    sm.on(DescribeSecretCommand).resolves({ ARN: secretArn, Name: 'web' });
    sm.on(GetResourcePolicyCommand).resolves({});
    const t = createTestContext();
    const { code } = await migrate(t, options({ apply: registerOnly }));
    expect(code).toBe(ExitCode.ok);
    expect(registerCalls()[0]?.args[0].input.containerDefinitions?.[0]?.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `${secretArn}:db_password::` },
    ]);
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
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.findings);
    expect(result.status).toBe('refused');
    expect(t.stderr()).toContain('selects a label');
    expect(writes()).toBe(0);
  });
});

describe('secrets migrate re-runs', () => {
  // The first run registers web:5 from web:4; capture what it sent.
  async function firstRun(): Promise<Record<string, unknown>> {
    seed();
    await migrate(createTestContext(), options({ source: { kind: 'registered', taskDef: 'web:4' } }));
    const input = registerCalls()[0]?.args[0].input as unknown as Record<string, unknown>;
    for (const m of [ecs, ssm, sts]) m.reset();
    return input;
  }

  // The family's latest ACTIVE revision is `latest`; web:4 is still the unmigrated source.
  function seedAfter(latest: ReturnType<typeof registeredRevision>, serviceOn: string) {
    seed();
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'web:4' })
      .resolves({ taskDefinition: taskDefinition as never, tags: [{ key: 'team', value: 'web' }] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'web' }).resolves(latest);
    ecs.on(DescribeServicesCommand).resolves(service(serviceOn));
  }

  it('#10: --task-def web:4 --register run twice registers once; the second run says so (exit 0)', async () => {
    const input = await firstRun();
    seedAfter(registeredRevision(input, 5), tdArn(5));
    const t = createTestContext({ global: { json: true } });
    const { code, result } = await migrate(
      t,
      options({ source: { kind: 'registered', taskDef: 'web:4' }, apply: registerOnly }),
    );
    expect(code).toBe(ExitCode.ok);
    expect(result.status).toBe('nothing-to-do');
    expect(registerCalls()).toHaveLength(0);
    expect(JSON.parse(t.stdout())).toMatchObject({
      status: 'nothing-to-do',
      alreadyRegistered: { taskDefinitionArn: tdArn(5), taskDefinition: 'web:5' },
    });
  });

  it('#10: with --update-service and the service on web:5 already, the second run is a no-op', async () => {
    const input = await firstRun();
    seedAfter(registeredRevision(input, 5), tdArn(5));
    const t = createTestContext();
    const { code, result } = await migrate(t, options({ source: { kind: 'registered', taskDef: 'web:4' } }));
    expect(code).toBe(ExitCode.ok);
    expect(result.status).toBe('nothing-to-do');
    expect(writes()).toBe(0);
    expect(t.stderr()).toContain(`Already registered: ${tdArn(5)} is this migration`);
    expect(t.stderr()).toContain('Service prod/web already runs it.');
  });

  it('#10: a latest revision with other content (or without the tag) is not taken for the migration', async () => {
    const input = await firstRun();
    const other = registeredRevision(input, 5);
    other.tags = other.tags.filter((t) => t.key !== 'ecsops:secrets-source');
    seedAfter(other, tdArn(4));
    const { result } = await migrate(
      createTestContext(),
      options({ source: { kind: 'registered', taskDef: 'web:4' } }),
    );
    expect(result.alreadyRegistered).toBeUndefined();
    expect(registerCalls()).toHaveLength(1);
  });

  it('#11: a re-run of the pinned source after UpdateService failed points the service at web:5, no register', async () => {
    const input = await firstRun();
    seedAfter(registeredRevision(input, 5), tdArn(4));
    const t = createTestContext();
    const { code, result } = await migrate(t, options({ source: { kind: 'registered', taskDef: 'web:4' } }));
    expect(code).toBe(ExitCode.ok);
    expect(result.status).toBe('migrated');
    expect(registerCalls()).toHaveLength(0);
    expect(updateCalls().map((c) => c.args[0].input)).toEqual([
      { cluster: 'prod', service: 'web', taskDefinition: 'web:5' },
    ]);
    expect(result.rollbackCommand).toContain('--task-definition web:4');
    expect(t.stdout()).toContain('Updated service prod/web to web:5');
  });

  it('#11: --task-def web (now web:5, migrated) after UpdateService failed: not "Nothing to do", the service moves to web:5', async () => {
    const input = await firstRun();
    const latest = registeredRevision(input, 5);
    seed();
    ecs.on(DescribeTaskDefinitionCommand).resolves(latest);
    ecs.on(DescribeServicesCommand).resolves(service(tdArn(4)));
    const t = createTestContext();
    const { code, result } = await migrate(t, options());
    expect(code).toBe(ExitCode.ok);
    expect(registerCalls()).toHaveLength(0);
    expect(updateCalls().map((c) => c.args[0].input.taskDefinition)).toEqual(['web:5']);
    expect(result.status).toBe('migrated');
    expect(t.stderr()).not.toContain('Nothing to do');
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
      source: { kind: 'file', path: file, paramsFile },
      apply: { kind: 'none' },
      executionRole: ROLE,
      ...over,
    });

  it('offline with --params-file: prints the new file in the same shape and key spelling, no AWS call', async () => {
    const file = join(dir, 'containers.json');
    writeFileSync(file, fileText);
    const t = createTestContext();
    expect((await migrate(t, fileOptions(file))).code).toBe(ExitCode.ok);
    const printed = JSON.parse(t.stdout()) as unknown;
    expect(printed).toEqual([
      {
        name: 'web',
        image: 'x',
        entrypoint: ['node'],
        secrets: [{ name: 'TOKEN', valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/web/token` }],
      },
    ]);
    expect(t.stdout()).toMatch(/^\[\n {4}\{/);
    expect(ecs.calls().length + ssm.calls().length + sts.calls().length).toBe(0);
  });

  it('--in-place: atomic rewrite with a .bak of the original; --dry-run leaves the file alone', async () => {
    const file = join(dir, 'inplace.json');
    writeFileSync(file, fileText);
    await migrate(createTestContext(), fileOptions(file, { output: { kind: 'in-place' }, dryRun: true }));
    expect(readFileSync(file, 'utf8')).toBe(fileText);
    const t = createTestContext();
    const { result } = await migrate(t, fileOptions(file, { output: { kind: 'in-place' } }));
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(fileText);
    expect(readFileSync(file, 'utf8')).toContain('"secrets"');
    expect(result.file?.written).toEqual({ written: file, backup: `${file}.bak` });
    expect(t.stderr()).toContain(`Wrote ${file} (original kept as ${file}.bak).`);
  });

  it('--json: one report document with the mapping table and the new definition', async () => {
    const file = join(dir, 'json.json');
    writeFileSync(file, fileText);
    const t = createTestContext({ global: { json: true } });
    await migrate(t, fileOptions(file));
    const doc = JSON.parse(t.stdout()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      schemaVersion: 1,
      status: 'migrated',
      mappings: [{ container: 'web', name: 'TOKEN', parameter: '/web/token', tool: 'ssm-env' }],
      sources: ['ssm-env:/web/token'],
    });
    expect(Array.isArray(doc.taskDefinition)).toBe(true);
  });

  it('#20: a wrapper in the image ENTRYPOINT with --image-entrypoint alone (no CMD) is migrated', async () => {
    const file = join(dir, 'image-entrypoint.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'web',
        executionRoleArn: ROLE,
        containerDefinitions: [{ name: 'web', image: 'example/web:1' }],
      }),
    );
    const params = join(dir, 'chamber-params.json');
    writeFileSync(params, JSON.stringify({ Parameters: [{ Name: '/web-prod/api-key', Type: 'String' }] }));
    const t = createTestContext();
    const { code, result } = await migrate(
      t,
      options({
        source: { kind: 'file', path: file, paramsFile: params },
        apply: { kind: 'none' },
        imageEntryPoint: ['/bin/chamber', 'exec', 'web-prod', '--', '/docker-entrypoint.sh'],
      }),
    );
    expect(code).toBe(ExitCode.ok);
    expect(result.status).toBe('migrated');
    const out = JSON.parse(t.stdout()) as { containerDefinitions: Record<string, unknown>[] };
    expect(out.containerDefinitions[0]).toEqual({
      name: 'web',
      image: 'example/web:1',
      entryPoint: ['/docker-entrypoint.sh'],
      secrets: [
        { name: 'API_KEY', valueFrom: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/web-prod/api-key` },
      ],
    });
  });

  describe('--register with --in-place', () => {
    const registerFile = () => {
      const file = join(dir, `register-${Math.random().toString(36).slice(2)}.json`);
      const text = `${JSON.stringify(
        {
          family: 'web',
          executionRoleArn: ROLE,
          containerDefinitions: [
            {
              name: 'web',
              image: 'x',
              entryPoint: ['ssm-env', '-with-decryption', 'node'],
              environment: [{ name: 'TOKEN', value: 'ssm:///web/token' }],
            },
          ],
        },
        null,
        2,
      )}\n`;
      writeFileSync(file, text);
      return { file, text };
    };
    const inPlaceRegister = (file: string, over: Partial<SecretsMigrateOptions> = {}) =>
      options({
        source: { kind: 'file', path: file },
        output: { kind: 'in-place' },
        apply: registerOnly,
        ...over,
      });
    beforeEach(() => {
      seed();
      ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/web/token', Type: 'String' }] });
      ecs.on(DescribeTaskDefinitionCommand).rejects(
        Object.assign(new Error('Unable to describe task definition.'), {
          name: 'ClientException',
          $metadata: {},
        }),
      );
    });

    it('the file is rewritten after the register, through the apply flow', async () => {
      const { file, text } = registerFile();
      const { code, result } = await migrate(createTestContext(), inPlaceRegister(file));
      expect(code).toBe(ExitCode.ok);
      expect(registerCalls()).toHaveLength(1);
      expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
        ['register', 'applied'],
        ['write-file', 'applied'],
      ]);
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(text);
      expect(readFileSync(file, 'utf8')).toContain('"secrets"');
    });

    it('a failed register leaves the file as it was, so the re-run migrates it again', async () => {
      const { file, text } = registerFile();
      ecs
        .on(RegisterTaskDefinitionCommand)
        .rejects(Object.assign(new Error('nope'), { name: 'ClientException', $metadata: {} }));
      const { code, result } = await migrate(createTestContext(), inPlaceRegister(file));
      expect(code).toBe(ExitCode.aws);
      expect(result.apply?.outcomes.map((o) => [o.change.kind, o.status])).toEqual([
        ['register', 'failed'],
        ['write-file', 'skipped'],
      ]);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });

    it('--dry-run and a declined confirmation write neither the revision nor the file', async () => {
      const { file, text } = registerFile();
      await migrate(createTestContext(), inPlaceRegister(file, { dryRun: true }));
      const t = createTestContext({ interactive: true, answer: false });
      await expect(
        runSecretsMigrate(inPlaceRegister(file, { yes: false }), t.ctx, { check: okCheck }),
      ).rejects.toBeInstanceOf(InterruptedError);
      expect(registerCalls()).toHaveLength(0);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });

    it('the check failing writes no file either (the next command must still find the wrapper)', async () => {
      const { file, text } = registerFile();
      const { code } = await migrate(createTestContext(), inPlaceRegister(file), {
        check: async () => report(failing),
      });
      expect(code).toBe(ExitCode.findings);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  });

  describe('#18: fields of the wrong type', () => {
    const badFile = () => {
      const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          family: 'web',
          executionRoleArn: ROLE,
          memory: 'lots',
          containerDefinitions: [
            {
              name: 'web',
              image: 'x',
              cpu: {},
              portMappings: '80',
              entryPoint: ['ssm-env', '-with-decryption', 'node'],
              environment: [{ name: 'TOKEN', value: 'ssm:///web/token' }],
            },
          ],
        }),
      );
      return file;
    };

    it('--register: an input error naming each field path, nothing registered', async () => {
      seed();
      ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/web/token', Type: 'String' }] });
      const file = badFile();
      const err = await runSecretsMigrate(
        options({ source: { kind: 'file', path: file }, output: { kind: 'in-place' }, apply: registerOnly }),
        createTestContext().ctx,
        { check: okCheck },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(ExitCode.usage);
      const message = (err as InputError).message;
      expect(message).toContain('memory: expected MiB');
      expect(message).toContain('containerDefinitions[0].cpu: expected an integer, got an object');
      expect(message).toContain('containerDefinitions[0].portMappings: expected an array');
      expect(writes()).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('ssm-env');
    });

    it('without --register: a warning that RegisterTaskDefinition would reject the output (exit 0)', async () => {
      const t = createTestContext();
      const { code, result } = await migrate(t, fileOptions(badFile()));
      expect(code).toBe(ExitCode.ok);
      expect(result.registerProblems.map((p) => p.path).sort()).toEqual([
        'containerDefinitions[0].cpu',
        'containerDefinitions[0].portMappings',
        'memory',
      ]);
      expect(t.stderr()).toContain('RegisterTaskDefinition would reject this output');
    });
  });
});

describe('secrets migrate flags (src/cli/groups/secrets-migrate.ts)', () => {
  const flags = (over: Partial<SecretsMigrateFlags> = {}): SecretsMigrateFlags => ({
    inPlace: false,
    register: false,
    updateService: false,
    wait: false,
    valueFrom: 'arn',
    skipCheck: false,
    applyFix: false,
    dryRun: false,
    yes: false,
    ...over,
  });

  it('maps flags to discriminated unions', () => {
    expect(
      toSecretsMigrateOptions(
        flags({
          taskDef: 'web:7',
          register: true,
          updateService: true,
          cluster: 'c',
          service: 's',
          wait: true,
          applyFix: true,
        }),
      ),
    ).toMatchObject({
      source: { kind: 'registered', taskDef: 'web:7' },
      output: { kind: 'stdout' },
      apply: {
        kind: 'register',
        check: 'fix',
        updateService: { cluster: 'c', service: 's', wait: { timeoutSeconds: 900 } },
      },
    });
    expect(
      toSecretsMigrateOptions(flags({ file: 'a.json', out: 'b.json', paramsFile: 'p.json' })),
    ).toMatchObject({
      source: { kind: 'file', path: 'a.json', paramsFile: 'p.json' },
      output: { kind: 'file', path: 'b.json' },
      apply: { kind: 'none' },
    });
    expect(toSecretsMigrateOptions(flags({ file: 'a.json', inPlace: true })).output).toEqual({
      kind: 'in-place',
    });
    expect(
      toSecretsMigrateOptions(
        flags({
          taskDef: 'w',
          register: true,
          updateService: true,
          cluster: 'c',
          service: 's',
          wait: true,
          waitTimeout: 60,
        }),
      ).apply,
    ).toMatchObject({ updateService: { wait: { timeoutSeconds: 60 } } });
  });

  it.each<[string, Partial<SecretsMigrateFlags>, string]>([
    ['no source', {}, 'Give exactly one source'],
    ['two sources', { taskDef: 'w', file: 'a.json' }, 'Give exactly one source'],
    ['--in-place without --file', { taskDef: 'w', inPlace: true }, '--in-place needs --file.'],
    ['--in-place with --out', { file: 'a', inPlace: true, out: 'x.json' }, 'cannot be used together'],
    [
      '--update-service without --register',
      { file: 'a', updateService: true, cluster: 'c', service: 's' },
      'needs --register',
    ],
    [
      '--update-service without --service',
      { taskDef: 'w', register: true, updateService: true, cluster: 'c' },
      'needs --cluster C and --service S',
    ],
    [
      '--cluster without --update-service',
      { taskDef: 'w', cluster: 'c' },
      'only apply with --update-service',
    ],
    [
      '--params-file with --register',
      { file: 'a', paramsFile: 'p', register: true },
      '--params-file is offline',
    ],
    ['--params-file with --task-def', { taskDef: 'w', paramsFile: 'p' }, '--params-file is for offline runs'],
    ['--wait without --update-service', { taskDef: 'w', wait: true }, '--wait needs --update-service.'],
    [
      '--wait-timeout without --wait',
      { taskDef: 'w', register: true, updateService: true, cluster: 'c', service: 's', waitTimeout: 60 },
      '--wait-timeout needs --wait.',
    ],
    ['--apply-fix without --register', { taskDef: 'w', applyFix: true }, '--apply-fix needs --register'],
    [
      '--apply-fix with --skip-check',
      { taskDef: 'w', register: true, applyFix: true, skipCheck: true },
      'cannot be used together',
    ],
    [
      '--skip-check without --register',
      { taskDef: 'w', skipCheck: true },
      '--skip-check only applies with --register.',
    ],
  ])('usage error: %s', (_name, over, message) => {
    expect(() => toSecretsMigrateOptions(flags(over))).toThrow(UsageError);
    expect(() => toSecretsMigrateOptions(flags(over))).toThrow(message);
  });
});
