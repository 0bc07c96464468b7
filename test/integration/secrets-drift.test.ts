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
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
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
          fixCommand: 'ecsops --region us-east-1 secrets sync --task-def billing:2 --register',
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

export { DescribeServicesCommand, secretsOf };
