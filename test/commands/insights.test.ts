import { CloudWatchClient, DescribeAlarmsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ListAccountSettingsCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  PutAccountSettingDefaultCommand,
  UpdateClusterCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import {
  type InsightsApplyOptions,
  runInsightsApply as runApply,
} from '../../src/commands/insights-apply.js';
import { runInsightsStatus as runStatus } from '../../src/commands/insights-status.js';
import { AwsError, ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { insightsApplyView, insightsStatusView } from '../../src/output/insights.js';
import { present } from '../../src/output/present.js';
import { createTestContext } from '../helpers/test-context.js';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const arn = (name: string) => `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`;
const describe_ = (name: string, value?: string, instances = 0) => ({
  clusterArn: arn(name),
  clusterName: name,
  status: 'ACTIVE',
  registeredContainerInstancesCount: instances,
  settings: value ? [{ name: 'containerInsights' as const, value }] : [],
});

function seed(clusters: ReturnType<typeof describe_>[]) {
  ecs.on(ListClustersCommand).resolves({ clusterArns: clusters.map((c) => c.clusterArn) });
  ecs.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: clusters.filter(
      (c) => input.clusters.includes(c.clusterArn) || input.clusters.includes(c.clusterName),
    ),
    failures: input.clusters
      .filter((n) => !clusters.some((c) => c.clusterArn === n || c.clusterName === n))
      .map((n) => ({ arn: n, reason: 'MISSING' })),
  }));
  ecs
    .on(ListAccountSettingsCommand)
    .resolves({ settings: [{ name: 'containerInsights', value: 'disabled' }] });
}

interface LegacyOptions {
  all?: boolean;
  accountDefault?: boolean;
  level?: InsightsApplyOptions['level'];
  allowDowngrade?: boolean;
  wait?: boolean;
  waitTimeoutSeconds?: number;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}
// The flag-shaped options these tests were written with, as the typed options the CLI builds.
const options = (over: LegacyOptions = {}): InsightsApplyOptions => ({
  clusters: over.all === false ? { kind: 'none' } : { kind: 'all' },
  accountDefault: over.accountDefault ?? false,
  level: over.level ?? 'enabled',
  allowDowngrade: over.allowDowngrade ?? false,
  wait: over.wait ? { timeoutSeconds: over.waitTimeoutSeconds ?? 60 } : undefined,
  dryRun: over.dryRun ?? false,
  yes: over.yes ?? true,
  force: over.force,
});
const runInsightsApply = async (o: InsightsApplyOptions, ctx: CommandContext) =>
  present(ctx.out, await runApply(o, ctx), insightsApplyView);
const runInsightsStatus = async (o: { clusters: string[] }, ctx: CommandContext) =>
  present(ctx.out, await runStatus(o, ctx), insightsStatusView);
const writes = () =>
  ecs.commandCalls(UpdateClusterCommand).length + ecs.commandCalls(PutAccountSettingDefaultCommand).length;

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
});
afterEach(() => {
  ecs.reset();
  cloudwatch.reset();
});

describe('insights status', () => {
  it('lists clusters with their level and the account default, describing in one batch', async () => {
    seed([describe_('prod', 'enhanced'), describe_('dev')]);
    const t = createTestContext();
    expect(await runInsightsStatus({ clusters: [] }, t.ctx)).toBe(ExitCode.ok);
    expect(t.stdout()).toMatch(/us-east-1\s+dev\s+disabled/);
    expect(t.stdout()).toMatch(/us-east-1\s+prod\s+enhanced/);
    expect(t.stdout()).toContain('us-east-1: disabled');
    const call = ecs.commandCalls(DescribeClustersCommand)[0];
    expect(call?.args[0].input).toEqual({ clusters: [arn('prod'), arn('dev')], include: ['SETTINGS'] });
  });

  it('describes 250 clusters in 3 calls of at most 100', async () => {
    seed(Array.from({ length: 250 }, (_, i) => describe_(`c${i}`)));
    const t = createTestContext();
    await runInsightsStatus({ clusters: [] }, t.ctx);
    expect(ecs.commandCalls(DescribeClustersCommand).map((c) => c.args[0].input.clusters?.length)).toEqual([
      100, 100, 50,
    ]);
  });

  it('--json prints one document with schemaVersion', async () => {
    seed([describe_('prod', 'enabled')]);
    const t = createTestContext({ global: { json: true } });
    await runInsightsStatus({ clusters: ['prod'] }, t.ctx);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      schemaVersion: 1,
      regions: [{ region: 'us-east-1', accountDefault: 'disabled' }],
      clusters: [{ clusterName: 'prod', containerInsights: 'enabled', region: 'us-east-1' }],
    });
  });

  it('an unknown cluster is an input error naming it', async () => {
    seed([describe_('prod')]);
    const t = createTestContext();
    await expect(runInsightsStatus({ clusters: ['prdo'] }, t.ctx)).rejects.toThrow(InputError);
    await expect(runInsightsStatus({ clusters: ['prdo'] }, t.ctx)).rejects.toThrow(/prdo/);
  });

  it('access denied names the IAM action', async () => {
    const denied = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDeniedException',
      $metadata: {},
    });
    ecs.on(ListClustersCommand).rejects(denied);
    ecs.on(ListAccountSettingsCommand).resolves({ settings: [] });
    const t = createTestContext();
    const error = await runInsightsStatus({ clusters: [] }, t.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).hint).toContain('ecs:ListClusters');
  });
});

describe('insights enable / disable', () => {
  it('applies only what is needed and reports each cluster', async () => {
    seed([describe_('prod'), describe_('dev', 'enhanced'), describe_('stage', 'enabled')]);
    const t = createTestContext();
    expect(await runInsightsApply(options({ level: 'enhanced' }), t.ctx)).toBe(ExitCode.ok);
    const updated = ecs.commandCalls(UpdateClusterCommand).map((c) => c.args[0].input);
    expect(updated).toEqual([
      { cluster: arn('prod'), settings: [{ name: 'containerInsights', value: 'enhanced' }] },
      { cluster: arn('stage'), settings: [{ name: 'containerInsights', value: 'enhanced' }] },
    ]);
    expect(t.stdout()).toContain('applied  us-east-1 prod');
    expect(t.stderr()).toContain('billed as CloudWatch custom metrics');
  });

  it('--dry-run sends zero writes', async () => {
    seed([describe_('prod')]);
    const t = createTestContext();
    expect(await runInsightsApply(options({ dryRun: true, yes: false }), t.ctx)).toBe(ExitCode.ok);
    expect(writes()).toBe(0);
    expect(t.stdout()).toContain('~ us-east-1 prod: containerInsights disabled -> enabled');
  });

  it('declined at the prompt: nothing is written', async () => {
    seed([describe_('prod')]);
    const t = createTestContext({ interactive: true, answer: false });
    await expect(runInsightsApply(options({ yes: false }), t.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toHaveLength(1);
    expect(writes()).toBe(0);
  });

  it('no terminal and no --yes is a usage error, not a hang', async () => {
    seed([describe_('prod')]);
    const t = createTestContext({ interactive: false });
    await expect(runInsightsApply(options({ yes: false }), t.ctx)).rejects.toBeInstanceOf(UsageError);
    expect(writes()).toBe(0);
  });

  it('nothing to do: a second run plans nothing and writes nothing', async () => {
    seed([describe_('prod', 'enabled'), describe_('dev', 'enhanced')]);
    const t = createTestContext();
    expect(await runInsightsApply(options(), t.ctx)).toBe(ExitCode.ok);
    expect(writes()).toBe(0);
    expect(t.stderr()).toContain('Nothing to do.');
  });

  it('never downgrades enhanced unless --allow-downgrade', async () => {
    seed([describe_('dev', 'enhanced')]);
    await runInsightsApply(options({ level: 'enabled' }), createTestContext().ctx);
    expect(writes()).toBe(0);
    await runInsightsApply(options({ level: 'enabled', allowDowngrade: true }), createTestContext().ctx);
    expect(ecs.commandCalls(UpdateClusterCommand)[0]?.args[0].input.settings).toEqual([
      { name: 'containerInsights', value: 'enabled' },
    ]);
  });

  it('failure half way: the others still apply, each is reported, exit 4', async () => {
    seed([describe_('a'), describe_('b'), describe_('c')]);
    ecs
      .on(UpdateClusterCommand, { cluster: arn('b') })
      .rejects(Object.assign(new Error('boom'), { name: 'ServerException', $metadata: {} }));
    const t = createTestContext({ global: { json: true } });
    expect(await runInsightsApply(options(), t.ctx)).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(
      doc.changes.map((c: { clusterName: string; status: string }) => `${c.clusterName}:${c.status}`),
    ).toEqual(['a:applied', 'b:failed', 'c:applied']);
    expect(doc.changes[1].error).toContain('ecs:UpdateCluster');
  });

  it('Ctrl-C half way: reports what was applied and what was not started, exit 130', async () => {
    seed([describe_('a'), describe_('b'), describe_('c')]);
    const t = createTestContext({ global: { json: true, concurrency: 1 } });
    ecs.on(UpdateClusterCommand).callsFake(() => {
      t.abort.abort();
      return {};
    });
    expect(await runInsightsApply(options(), t.ctx)).toBe(ExitCode.interrupted);
    const doc = JSON.parse(t.stdout());
    expect(doc.interrupted).toBe(true);
    expect(doc.changes.map((c: { status: string }) => c.status)).toEqual([
      'applied',
      'not-started',
      'not-started',
    ]);
  });

  it('disable turns enabled and enhanced off', async () => {
    seed([describe_('a', 'enabled'), describe_('b', 'enhanced'), describe_('c')]);
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await runInsightsApply(options({ level: 'disabled' }), createTestContext().ctx);
    expect(ecs.commandCalls(UpdateClusterCommand).map((c) => c.args[0].input.cluster)).toEqual([
      arn('a'),
      arn('b'),
    ]);
  });

  const watching = (cluster: string, service: string) => ({
    AlarmName: `ecsops-task-health-${cluster}-${service}`,
    Metrics: [
      {
        Id: 'running',
        MetricStat: {
          Metric: {
            Namespace: 'ECS/ContainerInsights',
            MetricName: 'RunningTaskCount',
            Dimensions: [
              { Name: 'ClusterName', Value: cluster },
              { Name: 'ServiceName', Value: service },
            ],
          },
          Period: 60,
          Stat: 'Minimum',
        },
      },
    ],
  });

  it('disable is refused (exit 2, naming the alarms) where ecsops alarms watch the services; nothing is written', async () => {
    seed([describe_('a', 'enabled'), describe_('b', 'enabled')]);
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [watching('a', 'web'), watching('z', 'api')] });
    const error = await runInsightsApply(options({ level: 'disabled' }), createTestContext().ctx).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('cluster a');
    expect(error.message).toContain('ecsops-task-health-a-web');
    expect(error.message).not.toContain('ecsops-task-health-z-api');
    expect(error.hint).toContain('--force');
    expect(ecs.commandCalls(UpdateClusterCommand)).toEqual([]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNamePrefix).toBe(
      'ecsops-task-health-',
    );
  });

  it('disable --force turns it off anyway, without even looking for alarms', async () => {
    seed([describe_('a', 'enabled')]);
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [watching('a', 'web')] });
    await runInsightsApply(options({ level: 'disabled', force: true }), createTestContext().ctx);
    expect(ecs.commandCalls(UpdateClusterCommand).map((c) => c.args[0].input.cluster)).toEqual([arn('a')]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toEqual([]);
  });

  it('--account-default uses PutAccountSettingDefault', async () => {
    seed([]);
    const t = createTestContext();
    await runInsightsApply(options({ all: false, accountDefault: true, level: 'enhanced' }), t.ctx);
    expect(ecs.commandCalls(PutAccountSettingDefaultCommand)[0]?.args[0].input).toEqual({
      name: 'containerInsights',
      value: 'enhanced',
    });
  });

  it('warns about EC2 container instances with an agent older than 1.29.0', async () => {
    seed([describe_('ec2', undefined, 2)]);
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['ci-1', 'ci-2'] });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: 'ci-1', versionInfo: { agentVersion: '1.28.0' } },
        { containerInstanceArn: 'ci-2', versionInfo: { agentVersion: '1.90.0' } },
      ],
    });
    const t = createTestContext();
    await runInsightsApply(options({ dryRun: true }), t.ctx);
    expect(t.stderr()).toContain('ec2: 1 EC2 container instance(s) run an ECS agent older than 1.29.0');
  });

  it('--wait polls ListMetrics until metrics appear', async () => {
    seed([describe_('prod')]);
    cloudwatch
      .on(ListMetricsCommand)
      .resolvesOnce({ Metrics: [] })
      .resolves({ Metrics: [{ MetricName: 'TaskCount' }] });
    const t = createTestContext();
    expect(await runInsightsApply(options({ wait: true }), t.ctx)).toBe(ExitCode.ok);
    expect(cloudwatch.commandCalls(ListMetricsCommand)[0]?.args[0].input).toEqual({
      Namespace: 'ECS/ContainerInsights',
      Dimensions: [{ Name: 'ClusterName', Value: 'prod' }],
    });
    expect(t.stdout()).toContain('prod: Container Insights metrics are arriving');
  });

  it('--wait times out with exit 1 when no metrics appear', async () => {
    seed([describe_('prod')]);
    cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [] });
    const t = createTestContext();
    expect(await runInsightsApply(options({ wait: true, waitTimeoutSeconds: 60 }), t.ctx)).toBe(
      ExitCode.findings,
    );
    expect(cloudwatch.commandCalls(ListMetricsCommand).length).toBeGreaterThan(1);
  });

  it.each([
    [10, 2, 10],
    [60, 5, 60],
  ])(
    '--wait-timeout %i polls until the deadline (last poll at it): %i ListMetrics calls, %is waited',
    async (timeout, polls, waited) => {
      seed([describe_('prod')]);
      cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [] });
      const t = createTestContext({ global: { json: true } });
      const result = await runApply(options({ wait: true, waitTimeoutSeconds: timeout }), t.ctx);
      expect(result.exitCode).toBe(ExitCode.findings);
      expect(cloudwatch.commandCalls(ListMetricsCommand)).toHaveLength(polls);
      expect(result.wait?.clusters[0]).toMatchObject({ metrics: 'timed-out', waitedSeconds: waited });
    },
  );

  it('every change failing: exit 3 with nothing applied (4 is for some applied, some not)', async () => {
    seed([describe_('a'), describe_('b')]);
    ecs
      .on(UpdateClusterCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    const t = createTestContext({ global: { json: true } });
    expect(await runInsightsApply(options(), t.ctx)).toBe(ExitCode.aws);
    expect(JSON.parse(t.stdout()).counts).toEqual({ applied: 0, failed: 2, notStarted: 0, skipped: 0 });
  });

  it('Ctrl-C right after the confirmation (--yes skipped it): no write starts, exit 130', async () => {
    seed([describe_('a')]);
    const t = createTestContext({ global: { json: true } });
    // Ctrl-C lands while the last read is in flight: the read finishes, nothing is written.
    ecs.on(DescribeClustersCommand).callsFake(() => {
      t.abort.abort();
      return { clusters: [describe_('a')] };
    });
    const result = await runApply(options(), t.ctx);
    expect(result.apply.outcomes.map((o) => o.status)).toEqual(['not-started']);
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(writes()).toBe(0);
  });
});
