import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSecretsSyncOptions } from '../../src/cli/groups/secrets-drift.js';
import { findSecretsDrift, runSecretsDrift } from '../../src/commands/secrets-drift.js';
import { runSecretsSync } from '../../src/commands/secrets-sync.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { present } from '../../src/output/present.js';
import { secretsDriftView } from '../../src/output/secrets-drift.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestContext } from '../helpers/test-context.js';

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);

const ACCOUNT = '123456789012';
const pArn = (name: string) => `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${name}`;
const tdArn = (family: string, rev: number) =>
  `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${rev}`;

function revision(family: string, rev: number, secrets: [string, string][], tag = `chamber:/${family}/`) {
  return {
    taskDefinition: {
      family,
      revision: rev,
      taskDefinitionArn: tdArn(family, rev),
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec`,
      containerDefinitions: [
        { name: 'app', image: 'app', secrets: secrets.map(([name, valueFrom]) => ({ name, valueFrom })) },
      ],
    } as never,
    tags: [{ key: 'ecsops:secrets-source', value: tag }],
  };
}

beforeEach(() => {
  ecs.reset();
  ssm.reset();
  sts.reset();
  iam.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
});
afterEach(() => {
  ecs.reset();
  ssm.reset();
});

describe('runSecretsDrift --cluster', () => {
  function cluster() {
    ecs.on(ListServicesCommand).resolves({ serviceArns: ['web', 'web-canary', 'worker'] });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/C/web`,
          taskDefinition: tdArn('web', 3),
          status: 'ACTIVE',
        },
        {
          serviceName: 'web-canary',
          serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/C/web-canary`,
          taskDefinition: tdArn('web', 3),
          status: 'ACTIVE',
        },
        {
          serviceName: 'worker',
          serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/C/worker`,
          taskDefinition: tdArn('worker', 1),
          status: 'ACTIVE',
        },
      ],
    });
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('web', 3) })
      .resolves(revision('web', 3, [['A', pArn('/web/a')]], 'chamber:/web/'));
  }

  it('reads each revision once, lists each path once, keeps going past a revision it cannot read', async () => {
    cluster();
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('worker', 1) }).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:DescribeTaskDefinition'), {
        name: 'AccessDeniedException',
      }),
    );
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        { Name: '/web/a', Type: 'String' },
        { Name: '/web/b', Type: 'String' },
      ],
    });
    const t = createTestContext();
    const result = await runSecretsDrift(
      { target: { kind: 'cluster', cluster: 'C', services: { kind: 'all' } } },
      t.ctx,
    );
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
    expect(result.exitCode).toBe(ExitCode.findings);
    const [web, worker] = result.taskDefinitions;
    expect(web).toMatchObject({ label: 'web:3', services: ['web', 'web-canary'] });
    expect(web?.drift?.items).toEqual([
      expect.objectContaining({ kind: 'added', name: 'B', parameter: '/web/b' }),
    ]);
    expect(worker?.error).toContain('ecs:DescribeTaskDefinition');
    present(t.ctx.out, result, secretsDriftView);
    expect(t.stdout()).toMatch(/added\s+app\s+B\s+\/web\/b/);
    expect(t.stdout()).toContain('could not be read');
  });

  it('exit 3 when nothing drifted but a revision could not be read', async () => {
    cluster();
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: tdArn('worker', 1) }).rejects(new Error('boom'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/web/a', Type: 'String' }] });
    const result = await runSecretsDrift(
      { target: { kind: 'cluster', cluster: 'C', services: { kind: 'all' } } },
      createTestContext().ctx,
    );
    expect(result.exitCode).toBe(ExitCode.aws);
  });
});

describe('findSecretsDrift (for ecsops audit)', () => {
  it('shares DescribeParameters reads across definitions through one reads cache', async () => {
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/web/a', Type: 'String' }] });
    const { createSecretsDriftReads } = await import('../../src/commands/secrets-drift.js');
    const reads = createSecretsDriftReads();
    const { ctx } = createTestContext();
    const one = await findSecretsDrift(
      ctx,
      'us-east-1',
      revision('web', 1, [['A', pArn('/web/a')]], 'chamber:/web/'),
      reads,
    );
    const two = await findSecretsDrift(
      ctx,
      'us-east-1',
      revision(
        'web',
        2,
        [
          ['A', pArn('/web/a')],
          ['GONE', pArn('/web/gone')],
        ],
        'chamber:/web/',
      ),
      reads,
    );
    expect(one.items).toEqual([]);
    expect(two.items).toEqual([expect.objectContaining({ kind: 'deleted', name: 'GONE' })]);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
  });
});

describe('runSecretsSync', () => {
  const drifted = () => {
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves(revision('web', 3, [['A', pArn('/web/a')]], 'chamber:/web/'));
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        { Name: '/web/a', Type: 'String' },
        { Name: '/web/b', Type: 'String' },
      ],
    });
  };
  const options = (...extra: string[]) =>
    toSecretsSyncOptions({
      taskDef: 'web:3',
      inPlace: false,
      register: true,
      updateService: false,
      wait: false,
      skipCheck: extra.includes('--skip-check'),
      applyFix: false,
      dryRun: extra.includes('--dry-run'),
      yes: extra.includes('--yes'),
    });

  it('declined at the prompt: nothing registered, exit 130', async () => {
    drifted();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(runSecretsSync(options('--skip-check'), t.ctx)).rejects.toMatchObject({
      exitCode: ExitCode.interrupted,
    });
    expect(t.prompts).toHaveLength(1);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('a failing register is reported (exit 3), no service update follows', async () => {
    drifted();
    ecs.on(RegisterTaskDefinitionCommand).rejects(new Error('ClientException: too big'));
    const t = createTestContext();
    const result = await runSecretsSync(options('--skip-check', '--yes'), t.ctx);
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(ExitCode.aws);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('registers the synced definition with the tag unchanged', async () => {
    drifted();
    ecs
      .on(RegisterTaskDefinitionCommand)
      .resolves({ taskDefinition: { taskDefinitionArn: tdArn('web', 4), revision: 4 } });
    const result = await runSecretsSync(options('--skip-check', '--yes'), createTestContext().ctx);
    expect(result.exitCode).toBe(ExitCode.ok);
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    expect(input?.containerDefinitions?.[0]?.secrets).toEqual([
      { name: 'A', valueFrom: pArn('/web/a') },
      { name: 'B', valueFrom: pArn('/web/b') },
    ]);
    expect(input?.tags).toEqual([{ key: 'ecsops:secrets-source', value: 'chamber:/web/' }]);
  });

  it('--file --in-place: rewrites the file with the synced secrets (caller account and region), registers nothing', async () => {
    ssm.on(DescribeParametersCommand).resolves({
      Parameters: [
        { Name: '/web/a', Type: 'String' },
        { Name: '/web/b', Type: 'String' },
      ],
    });
    const dir = tempDir('ecsops-sync-');
    const file = join(dir, 'td.json');
    const { taskDefinition, tags } = revision('web', 3, [['A', '/web/a']], 'chamber:/web/') as unknown as {
      taskDefinition: Record<string, unknown>;
      tags: unknown[];
    };
    const { taskDefinitionArn: _arn, revision: _rev, ...input } = taskDefinition;
    writeFileSync(file, `${JSON.stringify({ ...input, tags }, null, 2)}\n`);
    const opts = toSecretsSyncOptions({
      file,
      inPlace: true,
      register: false,
      updateService: false,
      wait: false,
      skipCheck: false,
      applyFix: false,
      dryRun: false,
      yes: false,
    });
    const result = await runSecretsSync(opts, createTestContext().ctx);
    expect(result.exitCode).toBe(ExitCode.ok);
    const written = JSON.parse(readFileSync(file, 'utf8')) as {
      containerDefinitions: { secrets: unknown[] }[];
    };
    // Names stay names, as the file's own entries are written.
    expect(written.containerDefinitions[0]?.secrets).toEqual([
      { name: 'A', valueFrom: '/web/a' },
      { name: 'B', valueFrom: '/web/b' },
    ]);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('flags: exactly one source; --update-service needs --register', () => {
    expect(() =>
      toSecretsSyncOptions({
        inPlace: false,
        register: false,
        updateService: false,
        wait: false,
        skipCheck: false,
        applyFix: false,
        dryRun: false,
        yes: false,
      }),
    ).toThrow(UsageError);
    expect(() =>
      toSecretsSyncOptions({
        taskDef: 'x',
        inPlace: false,
        register: false,
        updateService: true,
        cluster: 'C',
        service: 'S',
        wait: false,
        skipCheck: false,
        applyFix: false,
        dryRun: false,
        yes: false,
      }),
    ).toThrow('--update-service needs --register');
  });
});
