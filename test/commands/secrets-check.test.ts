import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
} from '@aws-sdk/client-kms';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  type ParameterType,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecretsCheck, type SecretsCheckOptions } from '../../src/commands/secrets-check.js';
import { ExitCode, InterruptedError, UsageError } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';

const ACCT = '123456789012';
const REGION = 'us-east-1';
const EXEC = `arn:aws:iam::${ACCT}:role/exec`;
const KEY_ID = 'k-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCT}:key/${KEY_ID}`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCT}:secret:prod/db-AbC123`;
const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const kms = mockClient(KMSClient);
const ssm = mockClient(SSMClient);
const sm = mockClient(SecretsManagerClient);
const sts = mockClient(STSClient);
const all = [ecs, iam, kms, ssm, sm, sts];

const enc = (o: object) => encodeURIComponent(JSON.stringify(o));
const TRUST = enc({
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const denied = (name = 'AccessDeniedException') =>
  Object.assign(new Error('not authorized'), { name, $metadata: {} });

/** Seeds one task definition with the given secrets and an execution role with the given inline policy. */
function seed(args: {
  secrets: string[];
  inline?: object;
  parameters?: { Name: string; Type: ParameterType; KeyId?: string }[];
  keyManager?: 'AWS' | 'CUSTOMER';
}) {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCT, Arn: `arn:aws:iam::${ACCT}:user/me` });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      family: 'web',
      revision: 3,
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/web:3`,
      executionRoleArn: EXEC,
      containerDefinitions: [
        { name: 'app', secrets: args.secrets.map((valueFrom, i) => ({ name: `S${i}`, valueFrom })) },
      ],
    },
  });
  ssm.on(DescribeParametersCommand).resolves({ Parameters: args.parameters ?? [] });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'exec',
      Arn: EXEC,
      Path: '/',
      RoleId: 'r',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: TRUST,
    },
  });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: args.inline ? ['secrets'] : [] });
  iam
    .on(GetRolePolicyCommand)
    .resolves({ RoleName: 'exec', PolicyName: 'secrets', PolicyDocument: enc(args.inline ?? {}) });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      KeyManager: args.keyManager ?? 'CUSTOMER',
      KeyState: 'Enabled',
    },
  });
  kms.on(GetKeyPolicyCommand).resolves({
    Policy: JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    }),
  });
  kms.on(ListGrantsCommand).resolves({ Grants: [] });
  kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/app' }] });
}

const options = (over: Partial<SecretsCheckOptions> = {}): SecretsCheckOptions => ({
  taskDef: 'web',
  services: [],
  allServices: false,
  fix: false,
  applyFix: false,
  iamSimulator: false,
  dryRun: false,
  yes: false,
  ...over,
});
const readParam = {
  Effect: 'Allow',
  Action: 'ssm:GetParameters',
  Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/*`,
};
const cmkParam = [{ Name: '/app/db', Type: 'SecureString' as const, KeyId: KEY_ID }];
const noValueReads = () => {
  expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(0);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(0);
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
};

beforeEach(() => {
  for (const c of all) c.reset();
});
afterEach(() => {
  noValueReads();
  for (const c of all) c.reset();
});

describe('secrets check (mocked AWS)', () => {
  it('--all-services reads a role and a key shared by several task definitions once', async () => {
    seed({ secrets: ['/app/db'], inline: { Statement: [readParam] }, parameters: cmkParam });
    ecs.on(ListServicesCommand).resolves({
      serviceArns: ['a', 'b', 'c'].map((n) => `arn:aws:ecs:${REGION}:${ACCT}:service/prod/${n}`),
    });
    ecs.on(DescribeServicesCommand).resolves({
      services: ['a', 'b', 'c'].map((n, i) => ({
        serviceName: n,
        serviceArn: `arn:aws:ecs:${REGION}:${ACCT}:service/prod/${n}`,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCT}:cluster/prod`,
        status: 'ACTIVE',
        taskDefinition: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/web:${i + 1}`,
      })),
    });
    const t = createTestContext();
    const code = await runSecretsCheck(
      options({ taskDef: undefined, cluster: 'prod', allServices: true }),
      t.ctx,
    );
    expect(code).toBe(ExitCode.findings); // the IAM policy allows ssm but not kms:Decrypt on the CMK
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(3);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('a key id that KMS reports as AWS-managed needs no kms grant', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: cmkParam,
      keyManager: 'AWS',
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options(), t.ctx)).toBe(ExitCode.ok);
    expect(t.stdout()).toMatch(/S0\s+\/app\/db\s+yes\s+AWS-managed\s+ok\s+ok/);
    // AWS-managed keys need no key-policy or grant reads
    expect(kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
  });

  it('batches DescribeParameters by name and never reads values', async () => {
    seed({
      secrets: ['/app/a', '/app/b', `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/a`],
      inline: { Statement: [readParam] },
      parameters: [
        { Name: '/app/a', Type: 'String' },
        { Name: '/app/b', Type: 'String' },
      ],
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options(), t.ctx)).toBe(ExitCode.ok);
    const calls = ssm.commandCalls(DescribeParametersCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.ParameterFilters).toEqual([
      { Key: 'Name', Option: 'Equals', Values: ['/app/a', '/app/b'] },
    ]);
  });

  it('a key policy we may not read is "unknown" naming kms:GetKeyPolicy: exit 3', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] },
      parameters: cmkParam,
    });
    kms.on(GetKeyPolicyCommand).rejects(denied());
    const t = createTestContext({ global: { json: true } });
    expect(await runSecretsCheck(options(), t.ctx)).toBe(ExitCode.aws);
    const doc = JSON.parse(t.stdout());
    expect(doc.status).toBe('incomplete');
    expect(doc.taskDefinitions[0].findings).toEqual([
      expect.objectContaining({ code: 'unknown', lackingPermission: 'kms:GetKeyPolicy' }),
    ]);
  });

  it('a role we may not read is "unknown" naming iam:GetRole', async () => {
    seed({ secrets: ['/app/db'], parameters: cmkParam });
    iam.on(GetRoleCommand).rejects(denied('AccessDenied'));
    const t = createTestContext();
    expect(await runSecretsCheck(options(), t.ctx)).toBe(ExitCode.aws);
    expect(t.stdout()).toContain('iam:GetRole');
  });

  it('Secrets Manager: DescribeSecret + resource policy, never GetSecretValue', async () => {
    seed({
      secrets: [`${SECRET}:password::`],
      inline: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET }] },
    });
    sm.on(DescribeSecretCommand).resolves({ ARN: SECRET, Name: 'prod/db' });
    sm.on(GetResourcePolicyCommand).resolves({
      ResourcePolicy: JSON.stringify({
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: { StringNotEquals: { 'aws:PrincipalArn': EXEC } },
          },
        ],
      }),
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options(), t.ctx)).toBe(ExitCode.ok);
    expect(sm.commandCalls(DescribeSecretCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET });
  });

  it.each<[string, 'allowed' | 'implicitDeny', ExitCode, number]>([
    ['agrees', 'implicitDeny', ExitCode.findings, 0],
    ['disagrees', 'allowed', ExitCode.findings, 1],
  ])('--iam-simulator %s', async (_n, simulated, code, disagreements) => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    iam
      .on(SimulatePrincipalPolicyCommand)
      .resolves({ EvaluationResults: [{ EvalActionName: 'ssm:GetParameters', EvalDecision: simulated }] });
    const t = createTestContext({ global: { json: true } });
    expect(await runSecretsCheck(options({ iamSimulator: true }), t.ctx)).toBe(code);
    const td = JSON.parse(t.stdout()).taskDefinitions[0];
    expect(td.simulator.filter((s: { agrees: boolean }) => !s.agrees)).toHaveLength(disagreements);
    const input = iam.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      PolicySourceArn: EXEC,
      ActionNames: ['ssm:GetParameters'],
      ResourceArns: [`arn:aws:ssm:${REGION}:${ACCT}:parameter/app/db`],
    });
  });

  it('--iam-simulator disagreement on an otherwise clean run downgrades to exit 3', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [{ EvalActionName: 'ssm:GetParameters', EvalDecision: 'explicitDeny' }],
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options({ iamSimulator: true }), t.ctx)).toBe(ExitCode.aws);
    expect(t.stdout()).toContain("IAM's policy simulator says explicitDeny");
  });
});

describe('secrets check --apply-fix', () => {
  const broken = () => seed({ secrets: ['/app/db'], inline: { Statement: [] }, parameters: cmkParam });

  it('applies one PutRolePolicy with exact ARNs, then re-checks', async () => {
    broken();
    let put: string | undefined;
    iam.on(PutRolePolicyCommand).callsFake((input: { PolicyDocument: string }) => {
      put = input.PolicyDocument;
      iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['ecsops-secrets-web'] });
      iam.on(GetRolePolicyCommand).resolves({
        PolicyName: 'ecsops-secrets-web',
        RoleName: 'exec',
        PolicyDocument: encodeURIComponent(put),
      });
      return {};
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options({ applyFix: true, yes: true }), t.ctx)).toBe(ExitCode.ok);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input).toMatchObject({
      RoleName: 'exec',
      PolicyName: 'ecsops-secrets-web',
    });
    expect(JSON.parse(put ?? '{}').Statement).toEqual([
      {
        Sid: 'ReadSsmParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/db`,
      },
      {
        Sid: 'DecryptSecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEY_ARN,
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
      },
    ]);
    expect(t.stderr()).toContain('After the fix:');
  });

  it('--dry-run sends no write', async () => {
    broken();
    const t = createTestContext();
    expect(await runSecretsCheck(options({ applyFix: true, dryRun: true }), t.ctx)).toBe(ExitCode.findings);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(t.stdout()).toContain('+ iam:PutRolePolicy');
  });

  it('declined at the prompt: nothing written', async () => {
    broken();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(runSecretsCheck(options({ applyFix: true }), t.ctx)).rejects.toThrow(InterruptedError);
    expect(t.prompts).toHaveLength(1);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('no terminal and no --yes is a usage error', async () => {
    broken();
    const t = createTestContext();
    await expect(runSecretsCheck(options({ applyFix: true }), t.ctx)).rejects.toThrow(UsageError);
  });

  it('nothing to do when the role already can', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    const t = createTestContext();
    expect(await runSecretsCheck(options({ applyFix: true, yes: true }), t.ctx)).toBe(ExitCode.ok);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(t.stderr()).toContain('Nothing to apply');
  });

  it('a failed PutRolePolicy is reported and exits 4', async () => {
    broken();
    iam.on(PutRolePolicyCommand).rejects(denied());
    const t = createTestContext({ global: { json: true } });
    expect(await runSecretsCheck(options({ applyFix: true, yes: true }), t.ctx)).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(doc.changes).toEqual([
      expect.objectContaining({ status: 'failed', policyName: 'ecsops-secrets-web' }),
    ]);
  });

  it('merges into an existing inline policy of the same name instead of overwriting it', async () => {
    seed({ secrets: ['/app/db'], inline: { Statement: [] }, parameters: cmkParam });
    const existing = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadSsmParameters',
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/other',
        },
      ],
    };
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['ecsops-secrets-web'] });
    iam
      .on(GetRolePolicyCommand)
      .resolves({ RoleName: 'exec', PolicyName: 'ecsops-secrets-web', PolicyDocument: enc(existing) });
    iam.on(PutRolePolicyCommand).resolves({});
    const t = createTestContext();
    await runSecretsCheck(options({ applyFix: true, yes: true }), t.ctx);
    const doc = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input.PolicyDocument ?? '{}');
    expect(doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReadSsmParameters',
      'ReadSsmParameters2',
      'DecryptSecrets',
    ]);
  });
});

describe('secrets check flags', () => {
  it.each<[string, Partial<SecretsCheckOptions>]>([
    ['no input', { taskDef: undefined }],
    ['two inputs', { file: 'x.json' }],
    ['--cluster without services', { taskDef: undefined, cluster: 'prod' }],
    ['--service without --cluster', { services: ['web'] }],
  ])('%s is a usage error', async (_n, over) => {
    const t = createTestContext();
    await expect(runSecretsCheck(options(over), t.ctx)).rejects.toThrow(UsageError);
  });
});
