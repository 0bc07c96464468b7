// `secrets migrate` through the built CLI against moto: real SDK serialisation, DescribeParameters
// paging (moto pages by 10), RegisterTaskDefinition/UpdateService round-trips, and the recorder proving
// that no value-reading API (GetParameter*, GetSecretValue) is ever called.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
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
const kms = new KMSClient(motoClientConfig());
const iam = new IAMClient(motoClientConfig());

const EXEC_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/app-exec`;
const arn = (name: string) => `arn:aws:ssm:us-east-1:${MOTO_ACCOUNT}:parameter${name}`;
const VALUE_READS =
  /^(ssm:GetParameter|ssm:GetParameters|ssm:GetParametersByPath|secretsmanager:GetSecretValue)$/;

async function seed() {
  const key = await kms.send(new CreateKeyCommand({ Description: 'chamber' }));
  const keyId = key.KeyMetadata?.KeyId as string;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/parameter_store_key', TargetKeyId: keyId }));
  const put = (Name: string, Type: 'String' | 'SecureString', KeyId?: string) =>
    ssm.send(new PutParameterCommand({ Name, Type, Value: `value-of-${Name}`, ...(KeyId ? { KeyId } : {}) }));
  // chamber service web-prod: SecureString under the CMK, under the default key, a String, a grandchild
  // (not read: chamber is one level), a sibling prefix (not matched), and enough to need several pages.
  await put('/web-prod/db-password', 'SecureString', 'alias/parameter_store_key');
  await put('/web-prod/session-secret', 'SecureString');
  await put('/web-prod/log-level', 'String');
  await put('/web-prod/nested/ignored', 'String');
  await put('/web-prod-x/OTHER', 'String');
  for (let i = 0; i < 12; i++) await put(`/web-prod/flag-${String(i).padStart(2, '0')}`, 'String');
  // aws-env path /worker/prod/ (case preserved).
  await put('/worker/prod/DB_URL', 'SecureString', 'alias/parameter_store_key');
  await put('/worker/prod/queueName', 'String');

  await iam.send(
    new CreateRoleCommand({
      RoleName: 'app-exec',
      AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY,
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'app-exec',
      PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: [arn('/web-prod/*'), arn('/worker/prod/*')],
          },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/${keyId}`,
          },
        ],
      }),
    }),
  );

  await ecs.send(new CreateClusterCommand({ clusterName: 'C' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      executionRoleArn: EXEC_ROLE,
      ipcMode: 'task',
      pidMode: 'task',
      containerDefinitions: [
        {
          name: 'web',
          image: 'example/web:1',
          memory: 256,
          entryPoint: [
            '/bin/chamber',
            '-r',
            '3',
            'exec',
            'web-prod',
            '--',
            'node',
            'server.js',
            '--port',
            '8080',
          ],
          environment: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'NODE_ENV', value: 'production' },
            { name: 'CHAMBER_KMS_KEY_ALIAS', value: 'alias/parameter_store_key' },
          ],
        },
      ],
      tags: [{ key: 'team', value: 'web' }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({ cluster: 'C', serviceName: 'S', taskDefinition: 'web:1', desiredCount: 0 }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'worker',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [
        {
          name: 'worker',
          image: 'example/worker:1',
          memory: 256,
          command: ['/bin/bash', '-c', 'eval $(aws-env) && exec node worker.js --queue "$queueName"'],
          environment: [
            { name: 'AWS_ENV_PATH', value: '/worker/prod/' },
            { name: 'AWS_REGION', value: 'us-east-1' },
          ],
        },
      ],
    }),
  );
}

async function describeTd(taskDefinition: string) {
  return ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
}

beforeEach(async () => {
  await resetMoto();
  await seed();
});

describe('ecsops secrets migrate (built CLI against moto)', () => {
  it('chamber: registers web:2 with expanded secrets, updates S, keeps web:1 ACTIVE, reads no values', async () => {
    await startRecording();
    const args = [
      'secrets',
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
    ];
    const result = await runCli(args);
    const calls = await stopRecording();
    expect(result.code, result.stderr).toBe(0);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    expect(callsMatching(calls, /^ssm:DescribeParameters$/).length).toBeGreaterThan(1); // paged

    const td = (await describeTd('web:2')).taskDefinition;
    const c = td?.containerDefinitions?.[0];
    expect(c?.entryPoint).toEqual(['node', 'server.js', '--port', '8080']);
    expect(c?.environment).toEqual([{ name: 'NODE_ENV', value: 'production' }]);
    const secrets = Object.fromEntries((c?.secrets ?? []).map((s) => [s.name, s.valueFrom]));
    expect(secrets).toMatchObject({
      DB_PASSWORD: arn('/web-prod/db-password'),
      SESSION_SECRET: arn('/web-prod/session-secret'),
      LOG_LEVEL: arn('/web-prod/log-level'),
      FLAG_00: arn('/web-prod/flag-00'),
      FLAG_11: arn('/web-prod/flag-11'),
    });
    expect(Object.keys(secrets)).toHaveLength(15);
    expect(td?.ipcMode).toBe('task');
    expect(td?.pidMode).toBe('task');
    expect(td?.executionRoleArn).toBe(EXEC_ROLE);
    expect((await describeTd('web:2')).tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'web' },
        { key: 'ecsops:secrets-source', value: 'chamber:/web-prod/' },
      ]),
    );
    expect((await describeTd('web:1')).taskDefinition?.status).toBe('ACTIVE');
    const svc = await ecs.send(new DescribeServicesCommand({ cluster: 'C', services: ['S'] }));
    expect(svc.services?.[0]?.taskDefinition).toMatch(/web:2$/);
    expect(result.stdout).toContain('--cluster C --service S --task-definition web:1');
  });

  it('aws-env: registers worker:2 with the eval prefix removed and case preserved (--json report)', async () => {
    await startRecording();
    const args = ['secrets', 'migrate', '--task-def', 'worker', '--register', '--yes', '--json'];
    const result = await runCli(args);
    const calls = await stopRecording();
    const doc = parseJsonDocument(result);
    expect(result.code, result.stderr).toBe(0);
    expect(doc).toMatchObject({
      command: 'secrets migrate',
      status: 'migrated',
      sources: ['aws-env:/worker/prod/'],
    });
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    const c = (await describeTd('worker:2')).taskDefinition?.containerDefinitions?.[0];
    expect(c?.command).toEqual(['/bin/bash', '-c', 'exec node worker.js --queue "$queueName"']);
    expect(c?.environment).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }]);
    expect(c?.secrets).toEqual([
      { name: 'DB_URL', valueFrom: arn('/worker/prod/DB_URL') },
      { name: 'queueName', valueFrom: arn('/worker/prod/queueName') },
    ]);
    expect((await describeTd('worker:1')).taskDefinition?.status).toBe('ACTIVE');
  });

  it('--dry-run sends no writes; a second run on the migrated revision has nothing to do', async () => {
    await startRecording();
    const dry = await runCli([
      'secrets',
      'migrate',
      '--task-def',
      'web',
      '--register',
      '--dry-run',
      '--skip-check',
    ]);
    const calls = await stopRecording();
    expect(dry.code, dry.stderr).toBe(0);
    expect(callsMatching(calls, /^ecs:(Register|Update|Deregister)/)).toEqual([]);

    await runCli(['secrets', 'migrate', '--task-def', 'web', '--register', '--yes', '--skip-check']);
    const again = await runCli(['secrets', 'migrate', '--task-def', 'web:2', '--json']);
    expect(parseJsonDocument(again)).toMatchObject({ status: 'nothing-to-do' });
  });

  it('the execution role cannot decrypt the CMK: exit 1, nothing registered, the --fix policy printed', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'weak-exec',
        AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY,
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'weak-exec',
        PolicyName: 'ssm-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }],
        }),
      }),
    );
    const result = await runCli([
      'secrets',
      'migrate',
      '--task-def',
      'web',
      '--register',
      '--yes',
      '--execution-role',
      `arn:aws:iam::${MOTO_ACCOUNT}:role/weak-exec`,
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('Not registering');
    expect(result.stdout).toContain('kms:Decrypt');
    await expect(describeTd('web:2')).rejects.toThrow();
  });

  it('a chamber service with no parameters is an error, and nothing is registered', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'typo',
        executionRoleArn: EXEC_ROLE,
        containerDefinitions: [
          { name: 'a', image: 'a', memory: 64, entryPoint: ['chamber', 'exec', 'nope', '--', 'x'] },
        ],
      }),
    );
    const result = await runCli([
      'secrets',
      'migrate',
      '--task-def',
      'typo',
      '--register',
      '--yes',
      '--skip-check',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no parameters under /nope/');
    await expect(describeTd('typo:2')).rejects.toThrow();
  });

  it('offline quick start: examples/ with --params-file makes no AWS call at all', async () => {
    await startRecording();
    const result = await runCli([
      'secrets',
      'migrate',
      '--file',
      'examples/chamber-task-definition.json',
      '--params-file',
      'examples/web-prod-parameters.json',
    ]);
    const calls = await stopRecording();
    expect(result.code, result.stderr).toBe(0);
    expect(calls).toEqual([]);
    const out = JSON.parse(result.stdout) as {
      containerDefinitions: { entryPoint: string[]; secrets: unknown[] }[];
    };
    expect(out.containerDefinitions[0]?.entryPoint).toEqual(['node', 'server.js']);
    expect(out.containerDefinitions[0]?.secrets).toHaveLength(3);
  });
});
