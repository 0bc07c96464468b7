/**
 * `ecsops audit` reads are batched and shared: DescribeServices 10 at a time, each revision
 * described once however many services run it, each role read once per run, the account once;
 * a cluster that cannot be read is named and the others are audited.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListAccountSettingsCommand,
  ListClustersCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/commands/audit.js';
import { ExitCode, InterruptedError } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';

const ACCT = '123456789012';
const REGION = 'us-east-1';
const ecs = mockClient(ECSClient);
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const cloudwatch = mockClient(CloudWatchClient);
const all = [ecs, iam, ssm, sts, cloudwatch];

const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCT}:cluster/${name}`;
const tdArn = (n: number) => `arn:aws:ecs:${REGION}:${ACCT}:task-definition/app-${n}:1`;
const roleArn = (n: number) => `arn:aws:iam::${ACCT}:role/exec-${n}`;
const TRUST = encodeURIComponent(
  JSON.stringify({
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  }),
);
const READ_ALL = encodeURIComponent(
  JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' }] }),
);

/** `services` services in cluster `name`, running 5 revisions between them. */
function world(clusters: Record<string, number>) {
  ecs.on(ListClustersCommand).resolves({ clusterArns: Object.keys(clusters).map(clusterArn) });
  ecs.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: input.clusters.map((arn) => ({
      clusterArn: arn,
      clusterName: arn.split('/').pop(),
      status: 'ACTIVE',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    })),
  }));
  ecs
    .on(ListAccountSettingsCommand)
    .resolves({ settings: [{ name: 'containerInsights', value: 'enabled', principalArn: 'x' }] });
  ecs.on(ListServicesCommand).callsFake((input: { cluster: string }) => {
    const name = input.cluster.split('/').pop() as string;
    return {
      serviceArns: Array.from(
        { length: clusters[name] ?? 0 },
        (_, i) => `arn:aws:ecs:${REGION}:${ACCT}:service/${name}/s${i}`,
      ),
    };
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string; services: string[] }) => {
    if (input.services.length > 10) throw new Error('DescribeServices takes at most 10 services');
    return {
      services: input.services.map((arn) => {
        const i = Number(arn.split('/s').pop());
        return {
          serviceArn: arn,
          serviceName: arn.split('/').pop(),
          clusterArn: input.cluster,
          status: 'ACTIVE',
          desiredCount: 0,
          taskDefinition: tdArn(i % 5),
        };
      }),
      failures: [],
    };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const n = Number(input.taskDefinition.split('app-').pop()?.split(':')[0]);
    return {
      taskDefinition: {
        taskDefinitionArn: input.taskDefinition,
        family: `app-${n}`,
        revision: 1,
        executionRoleArn: roleArn(n % 2),
        containerDefinitions: [
          { name: 'app', image: 'nginx', secrets: [{ name: 'DB', valueFrom: `/app/db-${n % 3}` }] },
        ],
      },
      tags: [],
    };
  });
  ssm.on(DescribeParametersCommand).callsFake((input: { ParameterFilters: { Values: string[] }[] }) => ({
    Parameters: (input.ParameterFilters[0]?.Values ?? []).map((Name) => ({ Name, Type: 'String' })),
  }));
  iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => ({
    Role: {
      RoleName: input.RoleName,
      Arn: `arn:aws:iam::${ACCT}:role/${input.RoleName}`,
      AssumeRolePolicyDocument: TRUST,
      Path: '/',
      RoleId: 'r',
      CreateDate: new Date(),
    },
  }));
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['read'] });
  iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string }) => ({
    RoleName: input.RoleName,
    PolicyName: 'read',
    PolicyDocument: READ_ALL,
  }));
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCT, Arn: `arn:aws:iam::${ACCT}:user/me` });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
}

beforeEach(() => {
  for (const m of all) m.reset();
});
afterEach(() => {
  for (const m of all) m.reset();
});

describe('runAudit reads', () => {
  it('batches and shares reads: 10 services a DescribeServices call, each revision and role once', async () => {
    world({ a: 25, b: 3 });
    const { ctx } = createTestContext();
    const result = await runAudit({ clusters: [] }, ctx);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.counts).toEqual({ clusters: 2, services: 28, taskDefinitions: 5 });
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(3 + 1);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(5);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    // 3 distinct parameter names, one batch.
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
  });

  it('a cluster whose services cannot be read is named; the other cluster is audited', async () => {
    world({ a: 3, b: 3 });
    ecs
      .on(ListServicesCommand, { cluster: clusterArn('b') })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: {} }));
    const { ctx } = createTestContext();
    const result = await runAudit({ clusters: [] }, ctx);
    expect(result.exitCode).toBe(ExitCode.aws);
    expect(result.unreadable).toMatchObject([
      {
        account: ACCT,
        region: REGION,
        part: 'services',
        resource: 'b',
        lackingPermission: 'ecs:ListServices',
      },
    ]);
    expect(result.counts.services).toBe(3);
  });

  it('Ctrl-C before the reads are done stops the audit: no partial result', async () => {
    world({ a: 3 });
    const { ctx, abort } = createTestContext();
    ecs.on(ListServicesCommand).callsFake(() => {
      abort.abort();
      return { serviceArns: [] };
    });
    await expect(runAudit({ clusters: [] }, ctx)).rejects.toBeInstanceOf(InterruptedError);
  });
});
