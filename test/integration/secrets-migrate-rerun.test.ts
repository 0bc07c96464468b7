// `secrets migrate` re-runs, interrupts and failures through the built CLI, with the fault-injecting
// proxy in front of moto: what a runbook sees when it runs the same command again after a failure.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
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
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parse as parseShell } from 'shell-quote';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { type CliResult, parseJsonDocument, runCli, runCliInterrupted } from './helpers/cli.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { ECS_TASKS_TRUST_POLICY } from './helpers/iam.js';
import { MOTO_ACCOUNT, motoClientConfig, motoEndpoint, resetMoto } from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const ssm = new SSMClient(motoClientConfig());
const kms = new KMSClient(motoClientConfig());
const iam = new IAMClient(motoClientConfig());

const EXEC_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/app-exec`;
const WEAK_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/weak-exec`;
const arn = (name: string) => `arn:aws:ssm:us-east-1:${MOTO_ACCOUNT}:parameter${name}`;

let proxy: FaultProxy;

async function seed() {
  const key = await kms.send(new CreateKeyCommand({ Description: 'chamber' }));
  const keyId = key.KeyMetadata?.KeyId as string;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/parameter_store_key', TargetKeyId: keyId }));
  await ssm.send(
    new PutParameterCommand({
      Name: '/web-prod/db-password',
      Type: 'SecureString',
      Value: 'x',
      KeyId: 'alias/parameter_store_key',
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/web-prod/log-level', Type: 'String', Value: 'info' }));
  await iam.send(
    new CreateRoleCommand({ RoleName: 'app-exec', AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'app-exec',
      PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: arn('/web-prod/*') },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/${keyId}`,
          },
        ],
      }),
    }),
  );
  // Can read the parameters but not decrypt the CMK: what --apply-fix repairs.
  await iam.send(
    new CreateRoleCommand({ RoleName: 'weak-exec', AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
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
  await ecs.send(new CreateClusterCommand({ clusterName: 'C' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [
        {
          name: 'web',
          image: 'example/web:1',
          memory: 256,
          entryPoint: ['/bin/chamber', 'exec', 'web-prod', '--', 'node', 'server.js'],
          environment: [{ name: 'NODE_ENV', value: 'production' }],
        },
      ],
      tags: [{ key: 'team', value: 'web' }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({ cluster: 'C', serviceName: 'S', taskDefinition: 'web:1', desiredCount: 0 }),
  );
}

/** `ecsops --endpoint-url PROXY --max-attempts 1 ...args`. */
function viaProxy(args: readonly string[]): Promise<CliResult> {
  return runCli(['--endpoint-url', proxy.endpoint, '--max-attempts', '1', ...args]);
}

const seen = (operation: string) => proxy.requests().filter((r) => r.operation === operation);
const revisions = async () =>
  (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }))).taskDefinitionArns ?? [];
const serviceTaskDefinition = async () =>
  (await ecs.send(new DescribeServicesCommand({ cluster: 'C', services: ['S'] }))).services?.[0]
    ?.taskDefinition;

const UPDATE = ['--update-service', '--cluster', 'C', '--service', 'S'];

beforeAll(async () => {
  proxy = await startFaultProxy({ target: motoEndpoint() });
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(async () => {
  await resetMoto();
  await seed();
  proxy.clearRules();
  proxy.clearRequests();
});

describe('secrets migrate re-runs (built CLI, fault proxy, moto)', () => {
  it('#10: --task-def web:1 --register run twice registers web:2 once; the second run says so and exits 0', async () => {
    const args = ['secrets', 'migrate', '--task-def', 'web:1', '--register', '--yes', '--json'];
    const first = await viaProxy(args);
    expect(first.code, first.stderr).toBe(0);
    expect(parseJsonDocument(first)).toMatchObject({ status: 'migrated', registered: { revision: 2 } });

    const second = await viaProxy(args);
    expect(second.code, second.stderr).toBe(0);
    expect(parseJsonDocument(second)).toMatchObject({
      status: 'nothing-to-do',
      alreadyRegistered: { taskDefinition: 'web:2' },
    });
    expect(seen('ecs:RegisterTaskDefinition')).toHaveLength(1);
    expect(await revisions()).toHaveLength(2);

    // In human mode too: says so, on stderr.
    const third = await viaProxy(args.filter((a) => a !== '--json'));
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/Already registered: .*web:2 is this migration/);
    expect(await revisions()).toHaveLength(2);
  });

  it('#11 + #24: UpdateService denied -> exit 4 with web:2 reported; the re-run points S at web:2 without registering', async () => {
    const args = ['secrets', 'migrate', '--task-def', 'web', '--register', ...UPDATE, '--yes', '--json'];
    proxy.setRules([{ match: { operation: 'ecs:UpdateService' }, fault: { kind: 'access-denied' } }]);
    const first = await viaProxy(args);
    expect(first.code, first.stderr).toBe(4);
    const doc = parseJsonDocument(first);
    expect(doc).toMatchObject({
      status: 'partial',
      registered: { revision: 2 },
      service: { status: 'failed', taskDefinition: 'web:2', previousTaskDefinition: 'web:1' },
      finishCommand:
        'aws ecs update-service --region us-east-1 --cluster C --service S --task-definition web:2',
    });
    expect(await serviceTaskDefinition()).toMatch(/web:1$/);

    proxy.clearRules();
    proxy.clearRequests();
    const second = await viaProxy(args);
    expect(second.code, second.stderr).toBe(0);
    expect(parseJsonDocument(second)).toMatchObject({
      status: 'migrated',
      alreadyRegistered: { taskDefinition: 'web:2' },
      service: { status: 'updated', taskDefinition: 'web:2' },
    });
    expect(seen('ecs:RegisterTaskDefinition')).toHaveLength(0);
    expect(seen('ecs:UpdateService').map((r) => JSON.parse(r.body).taskDefinition)).toEqual(['web:2']);
    expect(await serviceTaskDefinition()).toMatch(/web:2$/);

    // And a third run has nothing left to do.
    proxy.clearRequests();
    const third = await viaProxy(args);
    expect(parseJsonDocument(third)).toMatchObject({ status: 'nothing-to-do' });
    expect(seen('ecs:RegisterTaskDefinition').length + seen('ecs:UpdateService').length).toBe(0);
  });

  it('#11: the pinned source too: --task-def web:1 re-run after a failed UpdateService finishes the job', async () => {
    const args = ['secrets', 'migrate', '--task-def', 'web:1', '--register', ...UPDATE, '--yes'];
    proxy.setRules([{ match: { operation: 'ecs:UpdateService' }, fault: { kind: 'access-denied' } }]);
    const first = await viaProxy(args);
    expect(first.code, first.stderr).toBe(4);
    expect(first.stdout).toMatch(/Registered .*web:2/);
    expect(first.stderr).toContain('--task-definition web:2');
    proxy.clearRules();
    const second = await viaProxy(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Updated service C/S to web:2');
    expect(second.stdout).toContain(
      'Rollback: aws ecs update-service --region us-east-1 --cluster C --service S --task-definition web:1',
    );
    expect(seen('ecs:RegisterTaskDefinition')).toHaveLength(1);
    expect(await revisions()).toHaveLength(2);
  });

  it('#24: RegisterTaskDefinition denied -> exit 3, 0 applied, the service is never touched', async () => {
    proxy.setRules([
      { match: { operation: 'ecs:RegisterTaskDefinition' }, fault: { kind: 'access-denied' } },
    ]);
    const result = await viaProxy([
      'secrets',
      'migrate',
      '--task-def',
      'web',
      '--register',
      ...UPDATE,
      '--yes',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(3);
    expect(parseJsonDocument(result)).toMatchObject({
      status: 'failed',
      counts: { applied: 0, failed: 1, skipped: 1 },
      service: { status: 'skipped' },
    });
    expect(seen('ecs:UpdateService')).toHaveLength(0);
  });

  // With --skip-check no secrets-check read stands between the last read and the register.
  it.each([[[]], [['--skip-check']]])(
    '#2: Ctrl-C while a --yes --register run is still reading (%j): nothing is registered, exit 130, one JSON document',
    async (extra: string[]) => {
      proxy.setRules([
        { match: { operation: 'ssm:DescribeParameters' }, fault: { kind: 'latency', ms: 2500 } },
      ]);
      // SIGINT while DescribeParameters is held up by the proxy: the read phase is still running.
      const r = await runCliInterrupted(
        [
          '--max-attempts',
          '1',
          '--json',
          'secrets',
          'migrate',
          '--task-def',
          'web',
          '--register',
          ...UPDATE,
          '--yes',
          ...extra,
        ],
        { endpoint: proxy.endpoint, when: () => seen('ssm:DescribeParameters').length > 0 },
      );
      expect(seen('ssm:DescribeParameters').length).toBeGreaterThan(0);
      expect(r.code, r.stderr).toBe(130);
      expect(JSON.parse(r.stdout)).toMatchObject({
        error: { type: 'InterruptedError', message: 'Interrupted while reading: nothing was changed.' },
      });
      // Give a write that should not happen time to arrive, then look.
      await new Promise((r) => setTimeout(r, 300));
      expect(seen('ecs:RegisterTaskDefinition')).toEqual([]);
      expect(seen('ecs:UpdateService')).toEqual([]);
      expect(await revisions()).toHaveLength(1);
    },
  );

  it('#18: a file with "memory": "lots", "cpu": {}, "portMappings": "80" -> exit 2 naming the paths, nothing registered', async () => {
    const file = join(tempDir('ecsops-migrate-bad-'), 'web.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'web',
        executionRoleArn: EXEC_ROLE,
        memory: 'lots',
        containerDefinitions: [
          {
            name: 'web',
            image: 'example/web:1',
            cpu: {},
            portMappings: '80',
            entryPoint: ['/bin/chamber', 'exec', 'web-prod', '--', 'node'],
          },
        ],
      }),
    );
    const result = await viaProxy(['secrets', 'migrate', '--file', file, '--register', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(2);
    const error = parseJsonDocument(result).error as { type: string; message: string };
    expect(error.type).toBe('InputError');
    expect(error.message).toContain('memory: expected');
    expect(error.message).toContain('containerDefinitions[0].cpu: expected an integer');
    expect(error.message).toContain('containerDefinitions[0].portMappings: expected an array');
    expect(seen('ecs:RegisterTaskDefinition')).toEqual([]);
  });

  it('#19 + #21: refused under --json says check-failed and prints the next command; that command fixes the role, re-checks and registers', async () => {
    const args = [
      'secrets',
      'migrate',
      '--task-def',
      'web',
      '--register',
      '--execution-role',
      WEAK_ROLE,
      '--yes',
    ];
    const refused = await viaProxy([...args, '--json']);
    expect(refused.code, refused.stderr).toBe(1);
    const doc = parseJsonDocument(refused);
    expect(doc.status).toBe('check-failed');
    expect((doc.refusals as { reason: string }[]).some((r) => r.reason.includes('kms:Decrypt'))).toBe(true);
    expect(seen('ecs:RegisterTaskDefinition')).toEqual([]);
    const next = doc.nextCommand as string;
    expect(next).toBe(
      `ecsops --region us-east-1 secrets migrate --task-def web --execution-role ${WEAK_ROLE} --register --apply-fix --yes`,
    );

    // Run exactly the printed command (through the proxy).
    proxy.clearRequests();
    const words = parseShell(next).map(String).slice(1);
    const fixed = await viaProxy([...words, '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(parseJsonDocument(fixed)).toMatchObject({
      status: 'migrated',
      recheck: { status: 'ok' },
      registered: { revision: 2 },
    });
    const writes = proxy
      .requests()
      .map((r) => r.operation)
      .filter((op) => /^(iam:PutRolePolicy|ecs:RegisterTaskDefinition)$/.test(op));
    expect(writes).toEqual(['iam:PutRolePolicy', 'ecs:RegisterTaskDefinition']);
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'weak-exec', PolicyName: 'ecsops-secrets-web' }),
    );
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toContain('kms:Decrypt');
  });
});
