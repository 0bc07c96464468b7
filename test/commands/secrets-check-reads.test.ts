/**
 * `secrets check` reads each thing once per run (issue 12): parameters prefetched in batches of
 * 50 names, each role, managed policy and key read once, independent reads side by side within
 * --concurrency, and the re-check after --apply-fix re-reading only the roles it wrote.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
} from '@aws-sdk/client-kms';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecretsCheck, type SecretsCheckOptions } from '../../src/commands/secrets-check.js';
import { ExitCode } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';

const ACCT = '123456789012';
const REGION = 'us-east-1';
const KEY_ID = 'k-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCT}:key/${KEY_ID}`;
const MANAGED = `arn:aws:iam::${ACCT}:policy/app-secrets`;
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const kms = mockClient(KMSClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const all = [ecs, iam, kms, ssm, sts];

const enc = (o: object) => encodeURIComponent(JSON.stringify(o));
const TRUST = enc({
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const READ_AND_DECRYPT = enc({
  Statement: [
    {
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/*`,
    },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN },
  ],
});
const READ_ONLY = enc({
  Statement: [
    {
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: `arn:aws:ssm:${REGION}:${ACCT}:parameter/app/*`,
    },
  ],
});

/** Counts requests in flight across every mocked service the check reads (not ECS: it reads first). */
const flight = { now: 0, most: 0 };
function tracked<I, O>(answer: (input: I) => O | Promise<O>) {
  return async (input: I): Promise<O> => {
    flight.now++;
    flight.most = Math.max(flight.most, flight.now);
    try {
      await new Promise((r) => setTimeout(r, 1));
      return await answer(input);
    } finally {
      flight.now--;
    }
  };
}

const getRole = (name: string) => ({
  Role: {
    RoleName: name,
    Arn: roleArn(name),
    Path: '/',
    RoleId: 'r',
    CreateDate: new Date(0),
    AssumeRolePolicyDocument: TRUST,
  },
});

interface World {
  services: number;
  parameters: number;
  roles: number;
  /** The managed policy's document (all roles attach it). */
  managed?: string;
}

/** N services, each on its own task definition with 3 of the shared parameters and one of the roles. */
function seed(w: World) {
  const svc = (i: number) => `svc-${String(i).padStart(3, '0')}`;
  const params = (i: number) => [i % w.parameters, (i + 1) % w.parameters, (i + 7) % w.parameters];
  const inline = new Map<string, Map<string, string>>();
  sts
    .on(GetCallerIdentityCommand)
    .callsFake(tracked(() => ({ Account: ACCT, Arn: `arn:aws:iam::${ACCT}:user/me` })));
  ecs.on(ListServicesCommand).callsFake((input: { nextToken?: string }) => {
    const start = Number(input.nextToken ?? 0);
    const end = Math.min(start + 100, w.services);
    return {
      serviceArns: Array.from(
        { length: end - start },
        (_, k) => `arn:aws:ecs:${REGION}:${ACCT}:service/c/${svc(start + k)}`,
      ),
      nextToken: end < w.services ? String(end) : undefined,
    };
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((arn) => {
      const name = arn.split('/').pop() as string;
      return {
        serviceName: name,
        serviceArn: arn,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCT}:cluster/c`,
        status: 'ACTIVE',
        taskDefinition: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/${name}:1`,
      };
    }),
  }));
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const family = (input.taskDefinition.split('/').pop() as string).split(':')[0] as string;
    const i = Number(family.slice(4));
    return {
      taskDefinition: {
        family,
        revision: 1,
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCT}:task-definition/${family}:1`,
        executionRoleArn: roleArn(`exec-${i % w.roles}`),
        containerDefinitions: [
          { name: 'app', secrets: params(i).map((p, k) => ({ name: `S${k}`, valueFrom: `/app/p${p}` })) },
        ],
      },
    };
  });
  ssm.on(DescribeParametersCommand).callsFake(
    tracked((input: { ParameterFilters?: { Values?: string[] }[] }) => ({
      Parameters: (input.ParameterFilters?.[0]?.Values ?? []).map((Name) => ({
        Name,
        Type: 'SecureString',
        KeyId: KEY_ID,
      })),
    })),
  );
  iam.on(GetRoleCommand).callsFake(tracked((input: { RoleName: string }) => getRole(input.RoleName)));
  iam.on(ListRolePoliciesCommand).callsFake(
    tracked((input: { RoleName: string }) => ({
      PolicyNames: [...(inline.get(input.RoleName)?.keys() ?? [])],
    })),
  );
  iam.on(GetRolePolicyCommand).callsFake(
    tracked((input: { RoleName: string; PolicyName: string }) => ({
      ...input,
      PolicyDocument: encodeURIComponent(inline.get(input.RoleName)?.get(input.PolicyName) ?? '{}'),
    })),
  );
  iam.on(PutRolePolicyCommand).callsFake(
    tracked((input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
      const docs = inline.get(input.RoleName) ?? new Map<string, string>();
      docs.set(input.PolicyName, input.PolicyDocument);
      inline.set(input.RoleName, docs);
      return {};
    }),
  );
  iam
    .on(ListAttachedRolePoliciesCommand)
    .callsFake(tracked(() => ({ AttachedPolicies: [{ PolicyArn: MANAGED, PolicyName: 'app-secrets' }] })));
  iam.on(GetPolicyCommand).callsFake(tracked(() => ({ Policy: { Arn: MANAGED, DefaultVersionId: 'v2' } })));
  iam
    .on(GetPolicyVersionCommand)
    .callsFake(
      tracked(() => ({ PolicyVersion: { Document: w.managed ?? READ_AND_DECRYPT, VersionId: 'v2' } })),
    );
  kms.on(DescribeKeyCommand).callsFake(
    tracked(() => ({
      KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled' },
    })),
  );
  kms.on(ListAliasesCommand).callsFake(tracked(() => ({ Aliases: [{ AliasName: 'alias/app' }] })));
  kms.on(GetKeyPolicyCommand).callsFake(
    tracked(() => ({
      Policy: JSON.stringify({
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      }),
    })),
  );
  kms.on(ListGrantsCommand).callsFake(tracked(() => ({ Grants: [] })));
}

const allServices = (over: Partial<SecretsCheckOptions> = {}): SecretsCheckOptions => ({
  source: { kind: 'services', cluster: 'c', services: { kind: 'all' } },
  fix: { kind: 'none' },
  iamSimulator: false,
  ...over,
});
const count = (m: (typeof all)[number], command: Parameters<(typeof all)[number]['commandCalls']>[0]) =>
  m.commandCalls(command).length;

beforeEach(() => {
  for (const c of all) c.reset();
  flight.now = 0;
  flight.most = 0;
});
afterEach(() => {
  for (const c of all) c.reset();
});

describe('secrets check --all-services: each thing read once per run', () => {
  it('200 task definitions sharing 20 parameters, 5 roles and 1 managed policy', async () => {
    seed({ services: 200, parameters: 20, roles: 5 });
    const t = createTestContext({ global: { concurrency: 4 } });
    const result = await runSecretsCheck(allServices(), t.ctx);

    // Behaviour: every task definition checked, all fine.
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.reports).toHaveLength(200);
    expect(result.reports.every((r) => r.result.status === 'ok')).toBe(true);

    // One DescribeParameters for 20 distinct names (ceil(20 / 50)), 50 a page.
    expect(count(ssm, DescribeParametersCommand)).toBe(1);
    const describe = ssm.commandCalls(DescribeParametersCommand)[0]?.args[0].input;
    expect(describe?.MaxResults).toBe(50);
    expect(describe?.ParameterFilters?.[0]?.Values).toHaveLength(20);
    // Each role once; its lists at the page maximum.
    expect(count(iam, GetRoleCommand)).toBe(5);
    expect(count(iam, ListRolePoliciesCommand)).toBe(5);
    expect(count(iam, ListAttachedRolePoliciesCommand)).toBe(5);
    for (const c of iam.commandCalls(ListAttachedRolePoliciesCommand))
      expect(c.args[0].input.MaxItems).toBe(1000);
    for (const c of iam.commandCalls(ListRolePoliciesCommand)) expect(c.args[0].input.MaxItems).toBe(1000);
    // The managed policy once for all five roles.
    expect(count(iam, GetPolicyCommand)).toBe(1);
    expect(count(iam, GetPolicyVersionCommand)).toBe(1);
    // The key once.
    expect(count(kms, DescribeKeyCommand)).toBe(1);
    expect(count(kms, ListAliasesCommand)).toBe(1);
    expect(count(kms, GetKeyPolicyCommand)).toBe(1);
    expect(count(kms, ListGrantsCommand)).toBe(1);
    expect(kms.commandCalls(ListGrantsCommand)[0]?.args[0].input.Limit).toBe(100);
    expect(kms.commandCalls(ListAliasesCommand)[0]?.args[0].input.Limit).toBe(100);
    expect(count(sts, GetCallerIdentityCommand)).toBe(1);
    // What cannot be shared: one DescribeTaskDefinition each, DescribeServices 10 a call.
    expect(count(ecs, DescribeTaskDefinitionCommand)).toBe(200);
    expect(count(ecs, DescribeServicesCommand)).toBe(20);
    // Side by side, but never more than --concurrency at once.
    expect(flight.most).toBeGreaterThan(1);
    expect(flight.most).toBeLessThanOrEqual(4);
  });

  it('parameters of a run are read in batches of 50 names: 120 distinct names, 3 calls', async () => {
    seed({ services: 120, parameters: 120, roles: 1 });
    const t = createTestContext({ global: { concurrency: 8 } });
    const result = await runSecretsCheck(allServices(), t.ctx);
    expect(result.exitCode).toBe(ExitCode.ok);
    const batches = ssm
      .commandCalls(DescribeParametersCommand)
      .map((c) => c.args[0].input.ParameterFilters?.[0]?.Values?.length);
    expect(batches).toEqual([50, 50, 20]);
    expect(flight.most).toBeLessThanOrEqual(8);
  });

  it('--concurrency 1: one request at a time, same result', async () => {
    seed({ services: 20, parameters: 5, roles: 2 });
    const t = createTestContext({ global: { concurrency: 1 } });
    const result = await runSecretsCheck(allServices(), t.ctx);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(flight.most).toBe(1);
  });

  it('--apply-fix: the re-check re-reads only the roles written, side by side, the rest from the run', async () => {
    // The managed policy allows reading but not decrypting: every role needs the fix.
    seed({ services: 40, parameters: 10, roles: 3, managed: READ_ONLY });
    const events: string[] = [];
    iam.on(GetRoleCommand).callsFake(async (input: { RoleName: string }) => {
      events.push('start');
      await new Promise((r) => setTimeout(r, 5));
      events.push('end');
      return getRole(input.RoleName);
    });
    const t = createTestContext({ global: { concurrency: 8 } });
    const result = await runSecretsCheck(
      allServices({ fix: { kind: 'apply', dryRun: false, yes: true } }),
      t.ctx,
    );

    expect(result.reports.every((r) => r.result.status === 'findings')).toBe(true);
    expect(result.apply?.result.counts.applied).toBe(40);
    expect(result.apply?.recheck?.status).toBe('done');
    expect(result.exitCode).toBe(ExitCode.ok);
    // Each role: once for the check, once more after its write.
    expect(count(iam, GetRoleCommand)).toBe(6);
    expect(count(iam, ListRolePoliciesCommand)).toBe(6);
    // Nothing else read twice.
    expect(count(ssm, DescribeParametersCommand)).toBe(1);
    expect(count(iam, GetPolicyVersionCommand)).toBe(1);
    expect(count(kms, DescribeKeyCommand)).toBe(1);
    expect(count(sts, GetCallerIdentityCommand)).toBe(1);
    expect(count(ecs, DescribeTaskDefinitionCommand)).toBe(40);
    // The three re-reads after the writes were out together (as were the first three).
    expect(events).toEqual([
      'start',
      'start',
      'start',
      'end',
      'end',
      'end',
      'start',
      'start',
      'start',
      'end',
      'end',
      'end',
    ]);
    const lastPut = iam.commandCalls(PutRolePolicyCommand).at(-1);
    const firstReread = iam.commandCalls(GetRoleCommand)[3];
    expect(lastPut && firstReread?.calledAfter(lastPut)).toBe(true);
  });

  it('a role whose fix was not written is not re-read', async () => {
    seed({ services: 2, parameters: 2, roles: 2, managed: READ_ONLY });
    const t = createTestContext({ global: { concurrency: 8 } });
    // exec-1 is fine on its own: give it a decrypt statement before the run.
    iam.on(ListRolePoliciesCommand).callsFake((input: { RoleName: string }) => ({
      PolicyNames: input.RoleName === 'exec-1' ? ['decrypt'] : [],
    }));
    iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => ({
      ...input,
      PolicyDocument: enc({ Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN }] }),
    }));
    const result = await runSecretsCheck(
      allServices({ fix: { kind: 'apply', dryRun: false, yes: true } }),
      t.ctx,
    );
    expect(result.apply?.result.counts.applied).toBe(1);
    const roleReads = iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName);
    expect(roleReads.filter((n) => n === 'exec-0')).toHaveLength(2);
    expect(roleReads.filter((n) => n === 'exec-1')).toHaveLength(1);
  });
});
