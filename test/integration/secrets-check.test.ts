import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { type CliResult, parseJsonDocument, runCli } from './helpers/cli.js';
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

const ACCT = MOTO_ACCOUNT;
const REGION = 'us-east-1';
const iam = new IAMClient(motoClientConfig());
const kms = new KMSClient(motoClientConfig());
const ssm = new SSMClient(motoClientConfig());
const sm = new SecretsManagerClient(motoClientConfig());
const ecs = new ECSClient(motoClientConfig());
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

let cmkArn = '';
let lockedKeyArn = '';
let secretArn = '';
/** Every request moto saw during the file, to prove no value was ever read. */
const allCalls: RecordedCall[] = [];

async function cli(args: string[]): Promise<CliResult> {
  await startRecording();
  const result = await runCli(args);
  allCalls.push(...(await stopRecording()));
  return result;
}

async function role(name: string, inline?: string, trust = ECS_TASKS_TRUST_POLICY) {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  if (inline)
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'secrets', PolicyDocument: inline }),
    );
}

async function taskDef(family: string, exec: string | undefined, secrets: string[], taskRole?: string) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      executionRoleArn: exec ? roleArn(exec) : undefined,
      taskRoleArn: taskRole ? roleArn(taskRole) : undefined,
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          memory: 128,
          secrets: secrets.map((valueFrom, i) => ({ name: `S${i}`, valueFrom })),
        },
      ],
    }),
  );
}

beforeAll(async () => {
  await resetMoto();
  const cmk = await kms.send(new CreateKeyCommand({ Description: 'app secrets' }));
  cmkArn = cmk.KeyMetadata?.Arn ?? '';
  await kms.send(
    new CreateAliasCommand({ AliasName: 'alias/app-secrets', TargetKeyId: cmk.KeyMetadata?.KeyId }),
  );
  // A key whose policy names only an admin role: IAM policies cannot grant it (no root delegation).
  const locked = await kms.send(
    new CreateKeyCommand({
      Description: 'locked',
      BypassPolicyLockoutSafetyCheck: true,
      Policy: doc({
        Sid: 'Admins',
        Effect: 'Allow',
        Principal: { AWS: roleArn('admin') },
        Action: 'kms:*',
        Resource: '*',
      }),
    }),
  );
  lockedKeyArn = locked.KeyMetadata?.Arn ?? '';

  await ssm.send(new PutParameterCommand({ Name: '/app/db', Value: 'x', Type: 'SecureString' }));
  await ssm.send(
    new PutParameterCommand({
      Name: '/app/api',
      Value: 'x',
      Type: 'SecureString',
      KeyId: 'alias/app-secrets',
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/app/plain', Value: 'x', Type: 'String' }));
  await ssm.send(
    new PutParameterCommand({ Name: '/locked/token', Value: 'x', Type: 'SecureString', KeyId: lockedKeyArn }),
  );
  const secret = await sm.send(
    new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"x"}', KmsKeyId: cmkArn }),
  );
  secretArn = secret.ARN ?? '';

  const viaBoth = {
    'kms:ViaService': [`ssm.${REGION}.amazonaws.com`, `secretsmanager.${REGION}.amazonaws.com`],
  };
  await role(
    'exec-good',
    doc(
      {
        Sid: 'Read',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: `arn:aws:ssm:*:*:parameter/app/*`,
      },
      {
        Sid: 'Secret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db-??????`,
      },
      {
        Sid: 'Decrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: cmkArn,
        Condition: { StringEquals: viaBoth },
      },
    ),
  );
  await role('exec-bare');
  await role(
    'app-task',
    undefined,
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  );
  const managed = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'app-read',
      PolicyDocument: doc({ Effect: 'Allow', Action: ['ssm:GetParameters', 'kms:Decrypt'], Resource: '*' }),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-task', PolicyArn: managed.Policy?.Arn }));
  await role(
    'exec-wrong-trust',
    undefined,
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { Service: ['ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' },
      ],
    }),
  );
  await role(
    'exec-vpce',
    doc({
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-123' } },
    }),
  );

  await taskDef('good', 'exec-good', [
    '/app/db',
    `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/api`,
    '/app/plain',
    `${secretArn}:password::`,
  ]);
  await taskDef('mixup', 'exec-bare', ['/app/api'], 'app-task');
  await taskDef('missing', 'exec-good', ['/app/nope', '/app/db:2']);
  await taskDef('locked', 'exec-good', ['/locked/token']);
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'trust',
      executionRoleArn: roleArn('exec-wrong-trust'),
      containerDefinitions: [
        { name: 'web', image: 'nginx', memory: 128, secrets: [{ name: 'A', valueFrom: '/app/db' }] },
      ],
    }),
  );
  await taskDef('vpce', 'exec-vpce', ['/app/db']);
});

afterAll(() => {
  // The whole point of the command: it never reads a secret value.
  expect(
    callsMatching(allCalls, /^(ssm:GetParameters?|ssm:GetParametersByPath|secretsmanager:GetSecretValue)$/),
  ).toEqual([]);
  expect(allCalls.length).toBeGreaterThan(0);
});

describe('ecsops secrets check (built CLI against moto)', () => {
  it('all good: exit 0, a table per container, metadata calls only', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'good']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Container web:');
    expect(r.stdout).toMatch(/S0\s+\/app\/db\s+yes\s+AWS-managed\s+ok\s+ok/);
    expect(r.stdout).toMatch(/S1\s+\S+parameter\/app\/api\s+yes\s+alias\/app-secrets\s+ok\s+ok/);
    expect(r.stdout).toMatch(/S2\s+\/app\/plain\s+yes\s+none\s+ok\s+-/);
    expect(r.stdout).toMatch(/S3\s+\S+:password::\s+yes\s+alias\/app-secrets\s+ok\s+ok/);
    const ops = new Set(allCalls.map((c) => c.operation));
    for (const op of [
      'ssm:DescribeParameters',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'secretsmanager:DescribeSecret',
      'iam:GetRole',
    ]) {
      expect(ops).toContain(op);
    }
  });

  it('--json has one document with rows, findings and status', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'mixup', '--json', '--fix']);
    expect(r.code).toBe(1);
    const d = parseJsonDocument(r);
    expect(d).toMatchObject({ schemaVersion: 1, command: 'secrets check', status: 'findings' });
    const td = (d.taskDefinitions as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(td).toMatchObject({
      taskDefinition: 'mixup:1',
      region: REGION,
      executionRoleArn: roleArn('exec-bare'),
      taskRoleArn: roleArn('app-task'),
      status: 'findings',
      rows: [
        {
          containerName: 'web',
          name: 'S0',
          exists: 'yes',
          key: 'alias/app-secrets',
          execution: { read: { decision: 'not-allowed' }, decrypt: { decision: 'not-allowed' } },
          task: { read: { decision: 'allowed' }, decrypt: { decision: 'allowed' } },
        },
      ],
    });
    expect((td.findings as { code: string }[]).map((f) => f.code)).toEqual([
      'task-role-can-but-execution-role-cannot',
      'task-role-can-but-execution-role-cannot',
    ]);
    expect(td.fix).toMatchObject({
      roleArn: roleArn('exec-bare'),
      policy: {
        Statement: [
          { Action: 'ssm:GetParameters', Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/api` },
          {
            Action: 'kms:Decrypt',
            Resource: cmkArn,
            Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
          },
        ],
      },
      keyPolicyStatements: [],
    });
  });

  it('missing parameter and version selector: exit 1 with both findings', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'missing']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[parameter-missing]');
    expect(r.stdout).toContain('[ssm-version-selector]');
  });

  it('a key policy without root delegation: key-policy statement printed, never applied', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'locked', '--fix']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('neither names the role nor delegates to IAM');
    expect(r.stdout).toContain(`Add this statement to the key policy of ${lockedKeyArn}`);
  });

  it('wrong trust policy is a finding', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'trust', '--json']);
    expect(r.code).toBe(1);
    const codes = (
      (parseJsonDocument(r).taskDefinitions as { findings: { code: string }[] }[])[0]?.findings ?? []
    ).map((f) => f.code);
    expect(codes).toContain('execution-role-bad-trust');
  });

  it('a condition ecsops cannot know at task start: exit 3', async () => {
    const r = await cli(['secrets', 'check', '--task-def', 'vpce']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('aws:SourceVpce');
  });

  it('--file with a bare containerDefinitions array and --execution-role', async () => {
    const dir = tempDir('ecsops-check-');
    const file = join(dir, 'containers.json');
    writeFileSync(
      file,
      JSON.stringify([{ name: 'api', image: 'x', secrets: [{ name: 'DB', valueFrom: '/app/db' }] }]),
    );
    const ok = await cli(['secrets', 'check', '--file', file, '--execution-role', roleArn('exec-good')]);
    expect(ok.code).toBe(0);
    const none = await cli(['secrets', 'check', '--file', file, '--json']);
    expect(none.code).toBe(1);
    expect(JSON.stringify(parseJsonDocument(none))).toContain('no-execution-role');
  });

  it('--apply-fix: --dry-run writes nothing; --yes puts the inline policy and the re-check passes', async () => {
    await startRecording();
    const dry = await runCli(['secrets', 'check', '--task-def', 'mixup', '--apply-fix', '--dry-run']);
    const dryCalls = await stopRecording();
    allCalls.push(...dryCalls);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('+ iam:PutRolePolicy');
    expect(callsMatching(dryCalls, /^iam:Put/)).toEqual([]);

    await startRecording();
    const apply = await runCli(['secrets', 'check', '--task-def', 'mixup', '--apply-fix', '--yes']);
    const applyCalls = await stopRecording();
    allCalls.push(...applyCalls);
    expect(callsMatching(applyCalls, /^iam:PutRolePolicy$/)).toHaveLength(1);
    expect(apply.code).toBe(0);
    const put = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'exec-bare', PolicyName: 'ecsops-secrets-mixup' }),
    );
    expect(decodeURIComponent(put.PolicyDocument ?? '')).toContain('parameter/app/api');

    const again = await cli(['secrets', 'check', '--task-def', 'mixup', '--apply-fix', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to apply');
  });

  it('usage errors exit 2', async () => {
    const r = await cli(['secrets', 'check']);
    expect(r.code).toBe(2);
  });
});
