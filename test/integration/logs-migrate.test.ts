// `logs migrate` / `logs check` through the built CLI against moto: RegisterTaskDefinition and
// UpdateService round-trips with a FireLens router, the task-role check on real IAM reads, the S3
// config upload, and the recorder proving no value read (but the public /aws/service parameter) and
// no deregistration.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { ECS_TASKS_TRUST_POLICY } from './helpers/iam.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  type RecordedCall,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const iam = new IAMClient(motoClientConfig());
const logs = new CloudWatchLogsClient(motoClientConfig());
const s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });

const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
const FALLBACK_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2.20241008';
const VALUE_READS = /^(ssm:GetParameters|ssm:GetParametersByPath|secretsmanager:GetSecretValue)$/;

async function createRole(name: string, statements: unknown[]) {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }));
  if (statements.length > 0) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'base',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  }
}

const LOGS_WRITE = { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' };

async function registerAwslogs(family: string, taskRole: string) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      executionRoleArn: role('exec'),
      taskRoleArn: role(taskRole),
      containerDefinitions: [
        {
          name: 'app',
          image: 'example/app:1',
          essential: true,
          memoryReservation: 256,
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': `/ecs/${family}`,
              'awslogs-region': 'us-east-1',
              'awslogs-stream-prefix': family,
            },
          },
        },
      ],
      tags: [{ key: 'team', value: 'platform' }],
    }),
  );
}

async function seed() {
  await createRole('exec', [LOGS_WRITE]);
  // The pitfall: `good` can write logs itself; `bad` has only what awslogs never needed from it.
  await createRole('good-task', [
    LOGS_WRITE,
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetBucketLocation'], Resource: '*' },
  ]);
  await createRole('bad-task', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
  for (const g of ['/ecs/web', '/ecs/bad', '/ecs/web/audit', '/ecs/web/errors']) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
  }
  await s3.send(new CreateBucketCommand({ Bucket: 'cfg-bucket' }));
  await ecs.send(new CreateClusterCommand({ clusterName: 'C' }));
  await registerAwslogs('web', 'good-task');
  await registerAwslogs('bad', 'bad-task');
  await ecs.send(
    new CreateServiceCommand({ cluster: 'C', serviceName: 'S', taskDefinition: 'web:1', desiredCount: 0 }),
  );
}

async function revisions(family: string): Promise<string[]> {
  const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }));
  return (out.taskDefinitionArns ?? []).map((a) => a.split('/').pop() as string);
}

async function container(taskDefinition: string, name: string) {
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
  return { td, c: td.taskDefinition?.containerDefinitions?.find((x) => x.name === name) };
}

/** Only AWS's public parameter may be read by value; nothing is deregistered. */
function expectSafeCalls(calls: readonly RecordedCall[]) {
  expect(callsMatching(calls, VALUE_READS)).toEqual([]);
  for (const c of callsMatching(calls, /^ssm:GetParameter$/)) {
    expect(JSON.parse(c.body ?? '{}').Name).toBe('/aws/service/aws-for-fluent-bit/stable');
  }
  expect(callsMatching(calls, /^ecs:DeregisterTaskDefinition$/)).toEqual([]);
}

beforeEach(async () => {
  await resetMoto();
  await seed();
});

describe('ecsops logs migrate (built CLI against moto)', () => {
  it('registers web:2 on FireLens, points the service at it, and a second run is a no-op', async () => {
    const args = [
      'logs',
      'migrate',
      '--task-def',
      'web',
      '--register',
      '--update-service',
      '--cluster',
      'C',
      '--service',
      'S',
      '--yes',
      '--json',
    ];
    await startRecording();
    const first = await runCli(args);
    const calls = await stopRecording();
    const doc = parseJsonDocument(first);
    expect(first.code, first.stderr).toBe(0);
    expect(doc).toMatchObject({ command: 'logs migrate', status: 'migrated', check: { status: 'ok' } });
    expectSafeCalls(calls);
    // moto has no /aws/service/aws-for-fluent-bit/stable: the documented pinned version, with a warning.
    expect(callsMatching(calls, /^ssm:GetParameter$/)).toHaveLength(1);
    expect(doc.routerImage).toMatchObject({ source: 'fallback', image: FALLBACK_IMAGE });
    expect(first.stderr).toContain('could not read /aws/service/aws-for-fluent-bit/stable');

    const { td, c: app } = await container('web:2', 'app');
    expect(app?.logConfiguration).toEqual({
      logDriver: 'awsfirelens',
      options: {
        Name: 'cloudwatch_logs',
        region: 'us-east-1',
        log_group_name: '/ecs/web',
        log_stream_prefix: 'web/',
        log_key: 'log',
      },
    });
    const router = td.taskDefinition?.containerDefinitions?.find((x) => x.firelensConfiguration);
    expect(router?.name).toBe('log_router');
    expect(router?.image).toBe(FALLBACK_IMAGE);
    expect(router?.essential).toBe(true);
    expect(router?.logConfiguration?.logDriver).toBe('awslogs');
    expect(td.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'platform' },
        { key: 'ecsops:logs-source', value: 'awslogs-to-firelens' },
      ]),
    );
    const svc = await ecs.send(new DescribeServicesCommand({ cluster: 'C', services: ['S'] }));
    expect(svc.services?.[0]?.taskDefinition).toMatch(/web:2$/);
    expect(doc.rollbackCommand).toContain('--task-definition web:1');

    await startRecording();
    const second = await runCli(args);
    const again = await stopRecording();
    expect(second.code, second.stderr).toBe(0);
    expect(parseJsonDocument(second)).toMatchObject({ status: 'nothing-to-do' });
    expect(callsMatching(again, /^ecs:(Register|Update|Deregister)/)).toEqual([]);
    expect(await revisions('web')).toEqual(['web:1', 'web:2']);
  });

  it('refuses to register when the task role lacks logs:PutLogEvents, names the pitfall, registers nothing', async () => {
    const result = await runCli(['logs', 'migrate', '--task-def', 'bad', '--register', '--yes', '--json']);
    const doc = parseJsonDocument(result);
    expect(result.code).toBe(1);
    expect(doc).toMatchObject({ status: 'check-failed' });
    const reasons = (doc.refusals as { reason: string }[]).map((r) => r.reason).join('\n');
    expect(reasons).toContain(role('bad-task'));
    expect(reasons).toContain('logs:PutLogEvents');
    expect(reasons).toContain('awslogs used the execution role');
    expect(doc.nextCommand).toContain('--apply-fix');
    expect(await revisions('bad')).toEqual(['bad:1']);

    // The human report says the same on stderr, with the least-privilege policy on stdout.
    const human = await runCli(['logs', 'migrate', '--task-def', 'bad', '--register', '--yes']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('TASK role');
    expect(human.stdout).toContain('"logs:PutLogEvents"');
  });

  it('--apply-fix puts the policy on the task role through the apply flow, re-checks, then registers', async () => {
    await startRecording();
    const result = await runCli([
      'logs',
      'migrate',
      '--task-def',
      'bad',
      '--register',
      '--apply-fix',
      '--yes',
      '--json',
    ]);
    const calls = await stopRecording();
    const doc = parseJsonDocument(result);
    expect(result.code, result.stderr).toBe(0);
    expect(doc).toMatchObject({ status: 'migrated', recheck: { status: 'ok' } });
    expect(callsMatching(calls, /^iam:PutRolePolicy$/)).toHaveLength(1);
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'bad-task', PolicyName: 'ecsops-logs-bad' }),
    );
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toContain('log-group:/ecs/bad:*');
    expect(await revisions('bad')).toEqual(['bad:1', 'bad:2']);
    expectSafeCalls(calls);
  });

  it('--dry-run sends no write', async () => {
    await startRecording();
    const dry = await runCli(['logs', 'migrate', '--task-def', 'web', '--register', '--dry-run']);
    const calls = await stopRecording();
    expect(dry.code, dry.stderr).toBe(0);
    expect(callsMatching(calls, /^(ecs:(Register|Update|Deregister)|iam:Put|s3:)/)).toEqual([]);
    expect(dry.stderr).toContain('"logDriver": "awsfirelens"');
  });

  it('routes audit and error lines with --config-s3: the object is in the bucket, a re-run uploads nothing', async () => {
    const dir = tempDir('ecsops-logs-');
    const routes = join(dir, 'routes.yaml');
    writeFileSync(
      routes,
      [
        'rules:',
        '  - container: app',
        "    match: '^AUDIT\\s'",
        '    logGroup: /ecs/web/audit',
        '  - container: app',
        "    match: '(ERROR|FATAL)'",
        '    logGroup: /ecs/web/errors',
        '',
      ].join('\n'),
    );
    const args = [
      'logs',
      'migrate',
      '--task-def',
      'web:1',
      '--routes',
      routes,
      '--config-s3',
      's3://cfg-bucket/firelens/',
      '--register',
      '--yes',
      '--json',
    ];
    const first = await runCli(args);
    const doc = parseJsonDocument(first);
    expect(first.code, first.stderr).toBe(0);
    expect(doc).toMatchObject({
      status: 'migrated',
      configObjects: [{ uri: 's3://cfg-bucket/firelens/web.conf', upToDate: false }],
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: 'cfg-bucket', Key: 'firelens/web.conf' }));
    const body = (await object.Body?.transformToString()) ?? '';
    expect(body).toContain('rewrite_tag');
    expect(body).toContain('log_group_name    /ecs/web/audit');
    expect(body).toBe(doc.fluentBitConfig);

    const { c: router } = await container('web:2', 'log_router');
    expect(router?.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:init-2.32.2.20241008');
    expect(router?.environment).toEqual([
      { name: 'aws_fluent_bit_init_s3_1', value: 'arn:aws:s3:::cfg-bucket/firelens/web.conf' },
    ]);
    // The check covered the routed groups and the config object on the task role.
    const cells = (doc.check as { cells: { action: string; resource: string; role: string }[] }).cells;
    expect(cells).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role: 'task',
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::cfg-bucket/firelens/web.conf',
        }),
        expect.objectContaining({
          role: 'task',
          action: 'logs:PutLogEvents',
          resource: expect.stringContaining('/ecs/web/errors'),
        }),
      ]),
    );

    await startRecording();
    const second = await runCli(args);
    const calls = await stopRecording();
    expect(second.code, second.stderr).toBe(0);
    expect(parseJsonDocument(second)).toMatchObject({
      status: 'nothing-to-do',
      alreadyRegistered: { taskDefinition: 'web:2' },
      configObjects: [{ upToDate: true }],
    });
    expect(calls.filter((c) => c.method === 'PUT' && c.url?.includes('cfg-bucket'))).toEqual([]);
    expect(callsMatching(calls, /^ecs:(Register|Update)/)).toEqual([]);
    expectSafeCalls(calls);
  });

  it('rejects an invalid routing regex before anything is read or written', async () => {
    const dir = tempDir('ecsops-logs-');
    const routes = join(dir, 'routes.json');
    writeFileSync(
      routes,
      JSON.stringify({ rules: [{ container: 'app', match: '(oops', logGroup: '/ecs/x' }] }),
    );
    await startRecording();
    const result = await runCli([
      'logs',
      'migrate',
      '--task-def',
      'web',
      '--routes',
      routes,
      '--config-s3',
      's3://cfg-bucket/',
      '--json',
    ]);
    const calls = await stopRecording();
    expect(result.code).toBe(2);
    expect(parseJsonDocument(result).error).toMatchObject({
      message: expect.stringContaining('rules[0].match'),
    });
    expect(calls).toEqual([]);
  });
});

describe('ecsops logs check (built CLI against moto)', () => {
  it('reports each container cell: awslogs on the execution role (ok), FireLens on the task role (gap)', async () => {
    const awslogs = await runCli(['logs', 'check', '--task-def', 'bad:1', '--json']);
    expect(awslogs.code, awslogs.stderr).toBe(0);
    expect(parseJsonDocument(awslogs)).toMatchObject({
      status: 'ok',
      cells: [
        { container: 'app', role: 'execution', action: 'logs:CreateLogStream', decision: 'allowed' },
        { container: 'app', role: 'execution', action: 'logs:PutLogEvents', decision: 'allowed' },
      ],
    });

    const dir = tempDir('ecsops-logs-');
    const out = join(dir, 'bad-firelens.json');
    const migrated = await runCli(['logs', 'migrate', '--task-def', 'bad:1', '--out', out]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const gap = await runCli(['logs', 'check', '--file', out, '--json']);
    expect(gap.code).toBe(1);
    const doc = parseJsonDocument(gap);
    expect(doc).toMatchObject({ status: 'findings' });
    expect(JSON.stringify(doc.fixes)).toContain('logs:PutLogEvents');

    // --apply-fix puts the policy through the apply flow and the re-check passes.
    const fixed = await runCli(['logs', 'check', '--file', out, '--apply-fix', '--yes', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(parseJsonDocument(fixed)).toMatchObject({ status: 'ok', before: { status: 'findings' } });
  });
});
