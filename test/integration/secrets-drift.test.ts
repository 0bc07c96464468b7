// `secrets drift` and `secrets sync` through the built CLI against moto: migrate a chamber definition,
// add and delete parameters under its path, see drift name both, sync, see drift clean. The recorder
// proves no value is read (GetParameter*, GetSecretValue) and no revision is deregistered.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { accountClientConfig } from './helpers/accounts.js';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { ECS_TASKS_TRUST_POLICY } from './helpers/iam.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const ssm = new SSMClient(motoClientConfig());
const iam = new IAMClient(motoClientConfig());

const EXEC_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/billing-exec`;
const arn = (name: string) => `arn:aws:ssm:us-east-1:${MOTO_ACCOUNT}:parameter${name}`;
const VALUE_READS =
  /^(ssm:GetParameter|ssm:GetParameters|ssm:GetParametersByPath|secretsmanager:GetSecretValue)$/;
const WRITES = /^(ecs:(Register|Deregister|Update|Delete|Create)|ssm:(Put|Delete)|iam:(Put|Attach|Delete))/;

const put = (Name: string) =>
  ssm.send(new PutParameterCommand({ Name, Type: 'String', Value: `value-of-${Name}`, Overwrite: true }));

async function seed() {
  // chamber service billing: three keys, a grandchild chamber does not read, and a hand-added secret's
  // parameter outside the path.
  await put('/billing/db-url');
  await put('/billing/api-key');
  await put('/billing/log-level');
  await put('/billing/nested/ignored');
  await put('/ops/pager-token');
  await iam.send(
    new CreateRoleCommand({ RoleName: 'billing-exec', AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'billing-exec',
      PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [arn('/billing/*'), arn('/ops/*')] },
        ],
      }),
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'C' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'billing',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [
        {
          name: 'app',
          image: 'example/billing:1',
          memory: 256,
          entryPoint: ['chamber', 'exec', 'billing', '--', 'node', 'app.js'],
          secrets: [{ name: 'PAGER_TOKEN', valueFrom: arn('/ops/pager-token') }],
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'C',
      serviceName: 'S',
      taskDefinition: 'billing:1',
      desiredCount: 0,
    }),
  );
}

async function secretsOf(taskDefinition: string) {
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
  const c = td.taskDefinition?.containerDefinitions?.[0];
  return {
    secrets: Object.fromEntries((c?.secrets ?? []).map((s) => [s.name, s.valueFrom])),
    tags: td.tags ?? [],
    status: td.taskDefinition?.status,
  };
}

async function migrate() {
  const result = await runCli([
    'secrets',
    'migrate',
    '--task-def',
    'billing',
    '--register',
    '--update-service',
    '--cluster',
    'C',
    '--service',
    'S',
    '--yes',
  ]);
  expect(result.code, result.stderr).toBe(0);
}

beforeEach(async () => {
  await resetMoto();
  await seed();
});

describe('ecsops secrets drift (built CLI against moto)', () => {
  it('a fresh migration is clean; added and deleted parameters are named; exit 1; metadata only', async () => {
    await migrate();
    const clean = await runCli(['secrets', 'drift', '--task-def', 'billing:2', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(parseJsonDocument(clean)).toMatchObject({
      command: 'secrets drift',
      status: 'clean',
      taskDefinitions: [{ taskDefinition: 'billing:2', sources: ['chamber:/billing/'], drift: [] }],
    });

    await put('/billing/new-flag');
    await ssm.send(new DeleteParameterCommand({ Name: '/billing/api-key' }));
    await startRecording();
    const drift = await runCli(['secrets', 'drift', '--cluster', 'C', '--all-services', '--json']);
    const calls = await stopRecording();
    expect(drift.code, drift.stderr).toBe(1);
    const doc = parseJsonDocument(drift);
    expect(doc).toMatchObject({
      status: 'drift',
      counts: { taskDefinitions: 1, drifted: 1, added: 1, deleted: 1, changed: 0 },
      taskDefinitions: [
        {
          taskDefinition: 'billing:2',
          services: ['S'],
          status: 'drift',
          fixCommand:
            'ecsops --region us-east-1 secrets sync --task-def billing:2 --register --update-service --cluster C --service S',
          drift: [
            {
              kind: 'deleted',
              container: 'app',
              name: 'API_KEY',
              parameter: '/billing/api-key',
              source: 'chamber:/billing/',
              valueFrom: arn('/billing/api-key'),
            },
            {
              kind: 'added',
              container: 'app',
              name: 'NEW_FLAG',
              parameter: '/billing/new-flag',
              source: 'chamber:/billing/',
              valueFrom: arn('/billing/new-flag'),
            },
          ],
        },
      ],
    });
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    expect(callsMatching(calls, WRITES)).toEqual([]);
    // One listing of the path, one revision read.
    expect(callsMatching(calls, /^ssm:DescribeParameters$/)).toHaveLength(1);
    expect(callsMatching(calls, /^ecs:DescribeTaskDefinition$/)).toHaveLength(1);

    const human = await runCli(['secrets', 'drift', '--task-def', 'billing:2']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/deleted\s+app\s+API_KEY\s+\/billing\/api-key/);
    expect(human.stdout).toMatch(/added\s+app\s+NEW_FLAG\s+\/billing\/new-flag/);
    expect(human.stdout).not.toContain('PAGER_TOKEN');
    expect(human.stderr).toContain('1 added, 1 deleted, 0 changed');

    // ecsops audit reports the same drift, through the same findSecretsDrift, with the sync command.
    await startRecording();
    const audit = await runCli(['audit', '--json']);
    const auditCalls = await stopRecording();
    expect(audit.code, audit.stderr).toBe(1);
    const findings = (parseJsonDocument(audit) as { findings: Record<string, unknown>[] }).findings.filter(
      (f) => String(f.kind).startsWith('secrets-drift-'),
    );
    const fix =
      'ecsops secrets sync --task-def billing:2 --register --update-service --cluster C --service S --region us-east-1';
    expect(findings).toMatchObject([
      { kind: 'secrets-drift-deleted', severity: 'high', secretName: 'API_KEY', container: 'app', fix },
      { kind: 'secrets-drift-added', severity: 'medium', secretName: 'NEW_FLAG', container: 'app', fix },
    ]);
    expect(callsMatching(auditCalls, VALUE_READS)).toEqual([]);
    expect(callsMatching(auditCalls, WRITES)).toEqual([]);
  });

  it('a definition ecsops did not migrate has nothing to compare (exit 0); an unknown one is exit 2', async () => {
    const plain = await runCli(['secrets', 'drift', '--task-def', 'billing:1', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(parseJsonDocument(plain)).toMatchObject({ taskDefinitions: [{ status: 'not-migrated' }] });
    const missing = await runCli(['secrets', 'drift', '--task-def', 'nope:1', '--json']);
    expect(missing.code).toBe(2);
    expect(parseJsonDocument(missing)).toHaveProperty('error');
  });

  it('usage: exactly one of --task-def or --cluster', async () => {
    const both = await runCli([
      'secrets',
      'drift',
      '--task-def',
      'x',
      '--cluster',
      'C',
      '--all-services',
      '--json',
    ]);
    expect(both.code).toBe(2);
    const bare = await runCli(['secrets', 'drift', '--cluster', 'C']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--all-services');
  });
});

describe('ecsops secrets sync (built CLI against moto)', () => {
  const sync = (...extra: string[]) =>
    runCli([
      'secrets',
      'sync',
      '--task-def',
      'billing:2',
      '--register',
      '--update-service',
      '--cluster',
      'C',
      '--service',
      'S',
      ...extra,
    ]);

  async function drifted() {
    await migrate();
    await put('/billing/new-flag');
    await ssm.send(new DeleteParameterCommand({ Name: '/billing/api-key' }));
  }

  it('--dry-run sends no writes; sync registers billing:3 matching the path, keeps hand-added secrets, updates S; drift is clean; a second sync is a no-op', async () => {
    await drifted();
    await startRecording();
    const dry = await sync('--dry-run', '--json');
    const dryCalls = await stopRecording();
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseJsonDocument(dry)).toMatchObject({ command: 'secrets sync', status: 'synced', dryRun: true });
    expect(callsMatching(dryCalls, WRITES)).toEqual([]);
    const human = await sync('--dry-run');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/- remove\s+app\s+API_KEY\s+\/billing\/api-key/);
    expect(human.stderr).toMatch(/\+ add\s+app\s+NEW_FLAG\s+\/billing\/new-flag/);
    expect(human.stderr).toContain('Dry run: no changes were sent.');

    await startRecording();
    const applied = await sync('--yes', '--json');
    const calls = await stopRecording();
    expect(applied.code, applied.stderr).toBe(0);
    const doc = parseJsonDocument(applied);
    expect(doc).toMatchObject({
      status: 'synced',
      sources: ['chamber:/billing/'],
      secretChanges: [
        { kind: 'deleted', name: 'API_KEY', parameter: '/billing/api-key' },
        { kind: 'added', name: 'NEW_FLAG', parameter: '/billing/new-flag' },
      ],
      registered: { revision: 3 },
      check: { status: 'ok' },
    });
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    expect(callsMatching(calls, /^ecs:DeregisterTaskDefinition$/)).toEqual([]);
    expect(callsMatching(calls, /^ecs:RegisterTaskDefinition$/)).toHaveLength(1);
    expect(callsMatching(calls, /^ecs:UpdateService$/)).toHaveLength(1);
    // The check read the execution role before the register was sent.
    const ops = calls.map((c) => c.operation);
    expect(ops.indexOf('iam:GetRole')).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf('iam:GetRole')).toBeLessThan(ops.indexOf('ecs:RegisterTaskDefinition'));

    const three = await secretsOf('billing:3');
    expect(three.secrets).toEqual({
      PAGER_TOKEN: arn('/ops/pager-token'),
      DB_URL: arn('/billing/db-url'),
      LOG_LEVEL: arn('/billing/log-level'),
      NEW_FLAG: arn('/billing/new-flag'),
    });
    expect(three.tags).toEqual(
      expect.arrayContaining([{ key: 'ecsops:secrets-source', value: 'chamber:/billing/' }]),
    );
    expect((await secretsOf('billing:2')).status).toBe('ACTIVE');
    expect((await secretsOf('billing:1')).status).toBe('ACTIVE');
    const svc = await ecs.send(new DescribeServicesCommand({ cluster: 'C', services: ['S'] }));
    expect(svc.services?.[0]?.taskDefinition).toMatch(/billing:3$/);
    expect(doc.rollbackCommand).toContain('--task-definition billing:2');

    const clean = await runCli(['secrets', 'drift', '--cluster', 'C', '--all-services', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(parseJsonDocument(clean)).toMatchObject({
      status: 'clean',
      taskDefinitions: [{ taskDefinition: 'billing:3', drift: [] }],
    });

    // Second runs: the same command (billing:2 still drifts, but billing:3 already is its sync and S
    // runs it), and a sync of the latest revision.
    await startRecording();
    const again = await sync('--yes', '--json');
    const latest = await runCli([
      'secrets',
      'sync',
      '--task-def',
      'billing',
      '--register',
      '--yes',
      '--json',
    ]);
    const againCalls = await stopRecording();
    expect(again.code, again.stderr).toBe(0);
    expect(parseJsonDocument(again)).toMatchObject({
      status: 'nothing-to-do',
      alreadyRegistered: { taskDefinition: 'billing:3' },
    });
    expect(latest.code, latest.stderr).toBe(0);
    expect(parseJsonDocument(latest)).toMatchObject({ status: 'nothing-to-do', secretChanges: [] });
    expect(callsMatching(againCalls, WRITES)).toEqual([]);
  });

  it('checks before it registers: an execution role that cannot read the parameters stops it (exit 1, nothing registered)', async () => {
    await drifted();
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'billing-exec', PolicyName: 'secrets' }));
    await startRecording();
    const result = await sync('--yes', '--json');
    const calls = await stopRecording();
    expect(result.code).toBe(1);
    expect(parseJsonDocument(result)).toMatchObject({
      status: 'check-failed',
      nextCommand: expect.stringContaining('secrets sync --task-def billing:2 --register'),
    });
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
  });

  it('refuses a definition ecsops did not migrate (exit 1, nothing written)', async () => {
    const result = await runCli([
      'secrets',
      'sync',
      '--task-def',
      'billing:1',
      '--register',
      '--yes',
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(parseJsonDocument(result)).toMatchObject({
      status: 'refused',
      refusals: [{ reason: expect.stringContaining('no ecsops:secrets-source tag') }],
    });
  });
});

describe('ecsops secrets drift --accounts (built CLI against moto)', () => {
  const A = '111111111111';
  const B = '222222222222';

  it('compares each account’s revision with that account’s parameters', async () => {
    for (const account of [A, B]) {
      const config = await accountClientConfig(account);
      const accountSsm = new SSMClient(config);
      const accountEcs = new ECSClient(config);
      const pArn = (name: string) => `arn:aws:ssm:us-east-1:${account}:parameter${name}`;
      await accountSsm.send(new PutParameterCommand({ Name: '/billing/db-url', Type: 'String', Value: 'v' }));
      // Only account A has a parameter the definition lacks.
      if (account === A) {
        await accountSsm.send(
          new PutParameterCommand({ Name: '/billing/extra', Type: 'String', Value: 'v' }),
        );
      }
      await accountEcs.send(
        new RegisterTaskDefinitionCommand({
          family: 'billing',
          containerDefinitions: [
            {
              name: 'app',
              image: 'example/billing:1',
              memory: 256,
              secrets: [{ name: 'DB_URL', valueFrom: pArn('/billing/db-url') }],
            },
          ],
          tags: [{ key: 'ecsops:secrets-source', value: 'chamber:/billing/' }],
        }),
      );
    }
    await startRecording();
    const result = await runCli([
      '--accounts',
      `${A},${B}`,
      '--json',
      'secrets',
      'drift',
      '--task-def',
      'billing:1',
    ]);
    const calls = await stopRecording();
    expect(result.code, result.stderr).toBe(1);
    const doc = parseJsonDocument(result);
    expect(doc.accounts).toMatchObject([
      {
        account: A,
        status: 'done',
        taskDefinitions: [
          {
            account: A,
            drift: [
              {
                kind: 'added',
                name: 'EXTRA',
                valueFrom: `arn:aws:ssm:us-east-1:${A}:parameter/billing/extra`,
              },
            ],
          },
        ],
      },
      { account: B, status: 'done', taskDefinitions: [{ account: B, status: 'clean', drift: [] }] },
    ]);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    expect(callsMatching(calls, WRITES)).toEqual([]);
  });
});
