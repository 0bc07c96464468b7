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
import { parseSecretsCheckFlags, type RawFlags } from '../../src/cli/groups/secrets-check.js';
import { applyExitCode, type MutatingOptions } from '../../src/commands/apply-flow.js';
import {
  applyRoleFixes,
  type FixChange,
  runSecretsCheck,
  type SecretsCheckOptions,
} from '../../src/commands/secrets-check.js';
import { ExitCode, InterruptedError, UsageError } from '../../src/errors.js';
import { present } from '../../src/output/present.js';
import { secretsCheckView } from '../../src/output/secrets-check.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

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
  source: { kind: 'task-def', taskDef: 'web' },
  fix: { kind: 'none' },
  iamSimulator: false,
  ...over,
});
const applyFix = (over: Partial<MutatingOptions> = {}): Partial<SecretsCheckOptions> => ({
  fix: { kind: 'apply', dryRun: false, yes: false, ...over },
});
/** Runs the command and renders its result as the CLI does; returns the exit code. */
async function check(opts: SecretsCheckOptions, t: TestContext): Promise<ExitCode> {
  return present(t.ctx.out, await runSecretsCheck(opts, t.ctx), secretsCheckView);
}
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
    const code = await check(
      options({ source: { kind: 'services', cluster: 'prod', services: { kind: 'all' } } }),
      t,
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
    expect(await check(options(), t)).toBe(ExitCode.ok);
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
    expect(await check(options(), t)).toBe(ExitCode.ok);
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
    expect(await check(options(), t)).toBe(ExitCode.aws);
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
    expect(await check(options(), t)).toBe(ExitCode.aws);
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
    expect(await check(options(), t)).toBe(ExitCode.ok);
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
    expect(await check(options({ iamSimulator: true }), t)).toBe(code);
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
    expect(await check(options({ iamSimulator: true }), t)).toBe(ExitCode.aws);
    expect(t.stdout()).toContain("IAM's policy simulator says explicitDeny");
  });
});

/** Two services running two families (web, api) with the same execution role. */
function twoFamilies() {
  ecs.on(ListServicesCommand).resolves({
    serviceArns: ['web', 'api'].map((n) => `arn:aws:ecs:${REGION}:${ACCT}:service/prod/${n}`),
  });
  ecs.on(DescribeServicesCommand).resolves({
    services: ['web', 'api'].map((n) => ({
      serviceName: n,
      serviceArn: `arn:aws:ecs:${REGION}:${ACCT}:service/prod/${n}`,
      clusterArn: `arn:aws:ecs:${REGION}:${ACCT}:cluster/prod`,
      status: 'ACTIVE',
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/${n}:1`,
    })),
  });
  for (const family of ['web', 'api']) {
    ecs
      .on(DescribeTaskDefinitionCommand, {
        taskDefinition: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/${family}:1`,
      })
      .resolves({
        taskDefinition: {
          family,
          revision: 1,
          taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/${family}:1`,
          executionRoleArn: EXEC,
          containerDefinitions: [{ name: 'app', secrets: [{ name: 'S0', valueFrom: '/app/db' }] }],
        },
      });
  }
}

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
    expect(await check(options({ ...applyFix({ yes: true }) }), t)).toBe(ExitCode.ok);
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
    expect(await check(options({ ...applyFix({ dryRun: true }) }), t)).toBe(ExitCode.findings);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(t.stdout()).toContain('+ iam:PutRolePolicy');
  });

  it('declined at the prompt: nothing written', async () => {
    broken();
    const t = createTestContext({ interactive: true, answer: false });
    await expect(check(options(applyFix()), t)).rejects.toThrow(InterruptedError);
    expect(t.prompts).toHaveLength(1);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('at the prompt, the check and the plan are already shown, and not repeated after', async () => {
    broken();
    iam.on(PutRolePolicyCommand).resolves({});
    const t = createTestContext({ interactive: true, answer: true });
    let shownAtPrompt = '';
    const ask = t.ctx.confirm;
    t.ctx.confirm = async (question) => {
      shownAtPrompt = t.stdout();
      return ask(question);
    };
    await check(options(applyFix()), t);
    expect(t.prompts).toEqual(['Put 1 inline policy(ies)?']);
    expect(shownAtPrompt).toContain('Task definition web:3');
    expect(shownAtPrompt).toContain(
      '+ iam:PutRolePolicy arn:aws:iam::123456789012:role/exec ecsops-secrets-web',
    );
    const afterPrompt = t.stdout().slice(shownAtPrompt.length);
    expect(afterPrompt).not.toContain('+ iam:PutRolePolicy');
    expect(afterPrompt).toMatch(/^applied\s+arn:aws:iam::123456789012:role\/exec ecsops-secrets-web/);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('no terminal and no --yes is a usage error', async () => {
    broken();
    const t = createTestContext();
    await expect(check(options(applyFix()), t)).rejects.toThrow(UsageError);
  });

  it('nothing to do when the role already can', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    const t = createTestContext();
    expect(await check(options({ ...applyFix({ yes: true }) }), t)).toBe(ExitCode.ok);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(t.stderr()).toContain('Nothing to apply');
  });

  it('every PutRolePolicy failed: exit 3, 0 applied, each failure reported', async () => {
    broken();
    iam.on(PutRolePolicyCommand).rejects(denied());
    const t = createTestContext({ global: { json: true } });
    expect(await check(options({ ...applyFix({ yes: true }) }), t)).toBe(ExitCode.aws);
    const doc = JSON.parse(t.stdout());
    expect(doc.changes).toEqual([
      expect.objectContaining({
        status: 'failed',
        policyName: 'ecsops-secrets-web',
        error: expect.stringContaining('PutRolePolicy'),
      }),
    ]);
    expect(doc.counts).toMatchObject({ applied: 0, failed: 1 });
  });

  it('some PutRolePolicy applied, some failed: exit 4', async () => {
    broken();
    twoFamilies();
    iam.on(PutRolePolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand, { PolicyName: 'ecsops-secrets-api' }).rejects(denied());
    const t = createTestContext({ global: { json: true } });
    const opts = options({
      source: { kind: 'services', cluster: 'prod', services: { kind: 'all' } },
      ...applyFix({ yes: true }),
    });
    expect(await check(opts, t)).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(doc.changes.map((c: { policyName: string; status: string }) => [c.policyName, c.status])).toEqual([
      ['ecsops-secrets-web', 'applied'],
      ['ecsops-secrets-api', 'failed'],
    ]);
    expect(doc.counts).toMatchObject({ applied: 1, failed: 1 });
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
    await check(options({ ...applyFix({ yes: true }) }), t);
    const doc = JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input.PolicyDocument ?? '{}');
    expect(doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReadSsmParameters',
      'ReadSsmParameters2',
      'DecryptSecrets',
    ]);
  });
});

describe('secrets check: writes only where and when they belong', () => {
  const OTHER = 'arn:aws:iam::999999999999:role/exec';
  const broken = () => seed({ secrets: ['/app/db'], inline: { Statement: [] }, parameters: cmkParam });
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });

  it('#1 an execution role of another account is never read by name here nor written: exit 3', async () => {
    broken();
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        family: 'web',
        revision: 3,
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/web:3`,
        executionRoleArn: OTHER,
        containerDefinitions: [{ name: 'app', secrets: [{ name: 'S0', valueFrom: '/app/db' }] }],
      },
    });
    iam.on(PutRolePolicyCommand).resolves({});
    const t = createTestContext({ global: { json: true } });
    const code = await check(options(applyFix({ yes: true })), t);
    expect(code).not.toBe(ExitCode.ok);
    expect(code).toBe(ExitCode.aws);
    // GetRole takes a role *name*: "exec" would be the caller's own role of that name.
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(0);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    const doc = JSON.parse(t.stdout());
    expect(doc.taskDefinitions[0].findings).toEqual([
      expect.objectContaining({
        code: 'role-in-other-account',
        message: expect.stringContaining('account 999999999999'),
        remediation: expect.stringContaining('credentials of account 999999999999'),
      }),
    ]);
    expect(doc.changes).toEqual([]);
  });

  it('#1 applyRoleFixes skips a change whose role is in another account (never written)', async () => {
    iam.on(PutRolePolicyCommand).resolves({});
    const t = createTestContext();
    const change: FixChange = {
      kind: 'put-role-policy',
      roleArn: 'arn:aws:iam::999999999999:role/web-exec',
      policyName: 'ecsops-secrets-web',
      document: { Version: '2012-10-17', Statement: [] },
      replaces: false,
      account: ACCT,
    };
    const result = await applyRoleFixes(t.ctx, { dryRun: false, yes: true }, [
      change,
      { ...change, roleArn: EXEC },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['skipped', 'applied']);
    expect(result.outcomes[0]?.reason).toContain('account 999999999999');
    expect(iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual(['exec']);
    expect(applyExitCode(result)).toBe(ExitCode.partial);
  });

  it('#2 Ctrl-C while a --yes run is still reading: no write starts', async () => {
    broken();
    const t = createTestContext();
    iam.on(ListAttachedRolePoliciesCommand).callsFake(async () => {
      t.abort.abort(); // Ctrl-C arrives while the role is being read
      return { AttachedPolicies: [] };
    });
    iam.on(PutRolePolicyCommand).resolves({});
    await expect(check(options(applyFix({ yes: true })), t)).rejects.toThrow(InterruptedError);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('#3 the re-check fails after the write: the write is still reported, exit 3', async () => {
    broken();
    iam.on(PutRolePolicyCommand).callsFake(async () => {
      iam.on(GetRoleCommand).rejects(throttled());
      return {};
    });
    const t = createTestContext({ global: { json: true } });
    expect(await check(options(applyFix({ yes: true })), t)).toBe(ExitCode.aws);
    const doc = JSON.parse(t.stdout());
    expect(doc.changes).toEqual([
      expect.objectContaining({ status: 'applied', policyName: 'ecsops-secrets-web' }),
    ]);
    expect(doc.counts).toMatchObject({ applied: 1 });
    expect(doc.recheck).toEqual({ status: 'failed', error: expect.stringContaining('iam:GetRole') });
    expect(doc.status).toBe('incomplete');
  });

  it('#3 human output: the applied line and the re-check failure', async () => {
    broken();
    iam.on(PutRolePolicyCommand).callsFake(async () => {
      iam.on(GetRoleCommand).rejects(throttled());
      return {};
    });
    const t = createTestContext();
    expect(await check(options(applyFix({ yes: true })), t)).toBe(ExitCode.aws);
    expect(t.stdout()).toMatch(/applied\s+arn:aws:iam::123456789012:role\/exec ecsops-secrets-web/);
    expect(t.stderr()).toContain('The re-check after the fix failed');
  });

  it('#21 a task definition that still uses chamber is a finding pointing at secrets migrate, not OK', async () => {
    seed({ secrets: [] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        family: 'web',
        revision: 3,
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/web:3`,
        executionRoleArn: EXEC,
        containerDefinitions: [
          { name: 'app', image: 'x', entryPoint: ['chamber', 'exec', 'web-prod', '--', 'node', 'app.js'] },
        ],
      },
    });
    const human = createTestContext();
    expect(await check(options(), human)).toBe(ExitCode.findings);
    expect(human.stdout()).not.toContain('OK:');
    expect(human.stdout()).toContain('[wrapper-not-migrated]');
    expect(human.stdout()).toContain('ecsops secrets migrate --task-def web:3');

    const t = createTestContext({ global: { json: true } });
    expect(await check(options(), t)).toBe(ExitCode.findings);
    const td = JSON.parse(t.stdout()).taskDefinitions[0];
    expect(td.status).toBe('findings');
    expect(td.findings).toEqual([
      expect.objectContaining({ code: 'wrapper-not-migrated', containerName: 'app', severity: 'error' }),
    ]);
  });

  it('#22 --iam-simulator where every simulator call failed: no comparison was made, exit 3', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(Object.assign(new Error('not implemented'), { name: 'InternalFailure', $metadata: {} }));
    const t = createTestContext({ global: { json: true } });
    expect(await check(options({ iamSimulator: true }), t)).toBe(ExitCode.aws);
    const doc = JSON.parse(t.stdout());
    const td = doc.taskDefinitions[0];
    expect(td.simulator).toEqual([expect.objectContaining({ simulator: 'error', agrees: null })]);
    expect(td.simulatorSummary).toMatchObject({ verdict: 'not-compared', compared: 0, failed: 1 });
    expect(doc.status).toBe('incomplete');
    expect(td.findings).toEqual([
      expect.objectContaining({ code: 'unknown', message: expect.stringContaining('could not be made') }),
    ]);

    const human = createTestContext();
    await check(options({ iamSimulator: true }), human);
    expect(human.stdout()).toContain('IAM policy simulator: the comparison could not be made');
    expect(human.stdout()).not.toContain('0 disagreement(s)');
  });

  it('#28 Ctrl-C during the check: the next reads do not start, InterruptedError (exit 130)', async () => {
    seed({ secrets: ['/app/db'], inline: { Statement: [readParam] }, parameters: cmkParam });
    const t = createTestContext();
    ssm.on(DescribeParametersCommand).callsFake(async () => {
      t.abort.abort();
      return { Parameters: cmkParam };
    });
    const error = await check(options(), t).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(ExitCode.interrupted);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  it('#28 Ctrl-C while the task definition is described: no role, parameter or identity read starts', async () => {
    seed({ secrets: ['/app/db'], inline: { Statement: [readParam] }, parameters: cmkParam });
    const t = createTestContext();
    ecs.on(DescribeTaskDefinitionCommand).callsFake(async () => {
      t.abort.abort();
      return {
        taskDefinition: {
          family: 'web',
          revision: 3,
          executionRoleArn: EXEC,
          containerDefinitions: [{ name: 'app', secrets: [{ name: 'S0', valueFrom: '/app/db' }] }],
        },
      };
    });
    await expect(check(options(), t)).rejects.toThrow(InterruptedError);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(0);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(0);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('a second --apply-fix run, once the policy is there, has nothing to apply', async () => {
    seed({
      secrets: ['/app/db'],
      inline: { Statement: [readParam] },
      parameters: [{ Name: '/app/db', Type: 'String' }],
    });
    const t = createTestContext({ global: { json: true } });
    expect(await check(options(applyFix({ yes: true })), t)).toBe(ExitCode.ok);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(JSON.parse(t.stdout())).toMatchObject({ changes: [], counts: { applied: 0 } });
  });
});

describe('secrets check flags', () => {
  const flags = (over: Partial<RawFlags> = {}): RawFlags => ({
    taskDef: 'web',
    allServices: false,
    fix: false,
    applyFix: false,
    iamSimulator: false,
    dryRun: false,
    yes: false,
    ...over,
  });

  it.each<[string, Partial<RawFlags>, RegExp]>([
    ['no input', { taskDef: undefined }, /exactly one of --task-def, --file or --cluster/],
    ['two inputs', { file: 'x.json' }, /exactly one of --task-def, --file or --cluster/],
    ['--cluster without services', { taskDef: undefined, cluster: 'prod' }, /--cluster needs --service/],
    ['--service without --cluster', { service: ['web'] }, /need --cluster/],
    [
      '--service with --all-services',
      { taskDef: undefined, cluster: 'prod', service: ['a'], allServices: true },
      /cannot be used together/,
    ],
    ['--yes without --apply-fix', { yes: true }, /only apply to --apply-fix/],
    ['--dry-run without --apply-fix', { dryRun: true, fix: true }, /only apply to --apply-fix/],
  ])('%s is a usage error', (_n, over, message) => {
    expect(() => parseSecretsCheckFlags(flags(over))).toThrow(UsageError);
    expect(() => parseSecretsCheckFlags(flags(over))).toThrow(message);
  });

  it.each<[string, Partial<RawFlags>, Partial<SecretsCheckOptions>]>([
    ['--task-def', {}, { source: { kind: 'task-def', taskDef: 'web' }, fix: { kind: 'none' } }],
    [
      '--file --fix',
      { taskDef: undefined, file: 'td.json', fix: true },
      { source: { kind: 'file', path: 'td.json' }, fix: { kind: 'print' } },
    ],
    [
      '--cluster --service a,b',
      { taskDef: undefined, cluster: 'prod', service: ['a', 'b'] },
      { source: { kind: 'services', cluster: 'prod', services: { kind: 'named', names: ['a', 'b'] } } },
    ],
    [
      '--cluster --all-services',
      { taskDef: undefined, cluster: 'prod', allServices: true },
      { source: { kind: 'services', cluster: 'prod', services: { kind: 'all' } } },
    ],
    [
      '--apply-fix --dry-run',
      { applyFix: true, dryRun: true },
      { fix: { kind: 'apply', dryRun: true, yes: false } },
    ],
    [
      '--fix --apply-fix --yes',
      { fix: true, applyFix: true, yes: true },
      { fix: { kind: 'apply', dryRun: false, yes: true } },
    ],
  ])('%s', (_n, over, expected) => {
    expect(parseSecretsCheckFlags(flags(over))).toMatchObject(expected);
  });
});
