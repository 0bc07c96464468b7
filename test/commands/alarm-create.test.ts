import { PutMetricAlarmCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ListServicesCommand, UpdateClusterCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlarmCreateOptions, runAlarmCreate } from '../../src/commands/alarm-create.js';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../src/core/alarm/definition.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';
import {
  alarmArn,
  cloudwatch,
  ecs,
  installWorld,
  managedTags,
  sns,
  TOPIC,
  type World,
  writeCount,
} from './alarm-world.js';

const options = (over: Partial<AlarmCreateOptions> = {}): AlarmCreateOptions => ({
  clusters: ['prod'],
  services: [],
  allServices: true,
  alarm: {},
  tags: [],
  includeZeroDesired: false,
  enableInsights: false,
  dryRun: false,
  yes: true,
  ...over,
});

let world: World;
beforeEach(() => {
  world = installWorld({
    clusters: { prod: { insights: 'enabled', services: { web: 2, api: 3, idle: 0 } } },
  });
});
afterEach(() => {
  ecs.reset();
  cloudwatch.reset();
  sns.reset();
});

const puts = () => cloudwatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);

describe('alarm create', () => {
  it('apply: one PutMetricAlarm per service with desired > 0, carrying the designed definition and the tags', async () => {
    const t = createTestContext();
    expect(await runAlarmCreate(options({ tags: [{ Key: 'team', Value: 'web' }] }), t.ctx)).toBe(ExitCode.ok);
    const web = planTaskHealthAlarm({ clusterName: 'prod', serviceName: 'web' }, resolveAlarmOptions({}));
    expect(puts().map((p) => p.AlarmName)).toEqual([
      'ecsops-task-health-prod-api',
      'ecsops-task-health-prod-web',
    ]);
    expect(puts()[1]).toEqual({
      ...web,
      Tags: [...managedTags('prod', 'web'), { Key: 'team', Value: 'web' }],
    });
    // New alarms get their tags in PutMetricAlarm: no separate TagResource.
    expect(cloudwatch.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(t.stdout()).toContain('+ us-east-1 ecsops-task-health-prod-web (prod/web)');
    expect(t.stderr()).toContain('skipped us-east-1 prod/idle: desired count is 0');
    expect(t.stdout()).toContain('applied  us-east-1 ecsops-task-health-prod-web');
  });

  it('--include-zero-desired alarms the idle service too', async () => {
    await runAlarmCreate(options({ includeZeroDesired: true }), createTestContext().ctx);
    expect(puts().map((p) => p.AlarmName)).toContain('ecsops-task-health-prod-idle');
  });

  it('--service picks services by name; an unknown one is an input error and nothing is written', async () => {
    await runAlarmCreate(options({ allServices: false, services: ['web'] }), createTestContext().ctx);
    expect(puts().map((p) => p.AlarmName)).toEqual(['ecsops-task-health-prod-web']);
    await expect(
      runAlarmCreate(options({ allServices: false, services: ['nope'] }), createTestContext().ctx),
    ).rejects.toThrow(InputError);
    expect(puts()).toHaveLength(1);
  });

  it('--dry-run sends zero writes', async () => {
    const t = createTestContext();
    expect(await runAlarmCreate(options({ dryRun: true, yes: false }), t.ctx)).toBe(ExitCode.ok);
    expect(writeCount()).toBe(0);
    expect(t.stderr()).toContain('Dry run: no changes were sent.');
  });

  it('declined at the prompt: nothing is written', async () => {
    const t = createTestContext({ interactive: true, answer: false });
    await expect(runAlarmCreate(options({ yes: false }), t.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toEqual(['Apply 2 change(s)?']);
    expect(writeCount()).toBe(0);
  });

  it('nothing to do: a second run writes nothing', async () => {
    await runAlarmCreate(options(), createTestContext().ctx);
    cloudwatch.resetHistory();
    const t = createTestContext({ global: { json: true } });
    expect(await runAlarmCreate(options(), t.ctx)).toBe(ExitCode.ok);
    expect(writeCount()).toBe(0);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      changes: [],
      unchanged: [{ alarmName: 'ecsops-task-health-prod-api' }, { alarmName: 'ecsops-task-health-prod-web' }],
    });
  });

  it('updates a changed alarm and says what changed; restores a missing tag with TagResource', async () => {
    await runAlarmCreate(options(), createTestContext().ctx);
    const name = 'ecsops-task-health-prod-web';
    world.alarms.set(name, { ...world.alarms.get(name), Threshold: 0.5, TreatMissingData: undefined });
    world.tags.set(alarmArn(name), [{ Key: 'ecsops:managed', Value: 'true' }]);
    cloudwatch.resetHistory();
    const t = createTestContext();
    expect(await runAlarmCreate(options(), t.ctx)).toBe(ExitCode.ok);
    expect(puts().map((p) => p.AlarmName)).toEqual([name]);
    // Tags are not sent with an update (CloudWatch would ignore them)...
    expect(puts()[0]?.Tags).toBeUndefined();
    // ...the missing ones go through TagResource.
    expect(cloudwatch.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceARN: alarmArn(name), Tags: managedTags('prod', 'web').slice(1) },
    ]);
    expect(t.stdout()).toContain(`~ us-east-1 ${name} (prod/web)`);
    expect(t.stdout()).toContain('    Threshold: 0.5 -> 1');
    expect(t.stdout()).toContain('    TreatMissingData: "missing" -> "ignore"');
  });

  it('never overwrites an alarm of the same name that ecsops did not create', async () => {
    const name = 'ecsops-task-health-prod-web';
    world.alarms.set(name, {
      AlarmName: name,
      AlarmArn: alarmArn(name),
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/ECS',
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const t = createTestContext();
    expect(await runAlarmCreate(options(), t.ctx)).toBe(ExitCode.ok);
    expect(puts().map((p) => p.AlarmName)).toEqual(['ecsops-task-health-prod-api']);
    expect(t.stderr()).toContain(
      `alarm ${name} exists without the ecsops:managed=true tag; not overwriting it`,
    );
  });

  it('failure half way: the other alarms are still written, each is reported, exit 4, a re-run finishes', async () => {
    world.clusters.prod = { insights: 'enabled', services: { a: 1, b: 1, c: 1 } };
    cloudwatch
      .on(PutMetricAlarmCommand, { AlarmName: 'ecsops-task-health-prod-b' })
      .rejectsOnce(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { attempts: 8 } }),
      );
    const t = createTestContext({ global: { json: true } });
    expect(await runAlarmCreate(options(), t.ctx)).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(
      doc.changes.map((c: { serviceName: string; status: string }) => `${c.serviceName}:${c.status}`),
    ).toEqual(['a:applied', 'b:failed', 'c:applied']);
    expect(doc.changes[1].error).toContain('cloudwatch:PutMetricAlarm');
    expect(doc.changes[1].error).toContain('Still throttled after 8 attempts');

    const again = createTestContext({ global: { json: true } });
    expect(await runAlarmCreate(options(), again.ctx)).toBe(ExitCode.ok);
    expect(JSON.parse(again.stdout()).changes.map((c: { serviceName: string }) => c.serviceName)).toEqual([
      'b',
    ]);
  });

  it('refuses when Container Insights is off, with the insights enable hint, and writes nothing', async () => {
    world.clusters.dev = { services: { web: 1 } };
    const error = await runAlarmCreate(options({ clusters: ['prod', 'dev'] }), createTestContext().ctx).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain('Container Insights is off for cluster dev');
    expect((error as UsageError).hint).toContain('ecsops insights enable --cluster dev');
    expect(writeCount()).toBe(0);
  });

  it('--enable-insights turns it on first, then creates the alarms, in one run', async () => {
    world.clusters.dev = { services: { web: 1 } };
    const t = createTestContext();
    expect(await runAlarmCreate(options({ clusters: ['prod', 'dev'], enableInsights: true }), t.ctx)).toBe(
      ExitCode.ok,
    );
    expect(ecs.commandCalls(UpdateClusterCommand).map((c) => c.args[0].input)).toEqual([
      {
        cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/dev',
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      },
    ]);
    const updateCall = ecs.commandCalls(UpdateClusterCommand)[0];
    const firstPut = cloudwatch.commandCalls(PutMetricAlarmCommand)[0];
    expect(firstPut && updateCall?.calledBefore(firstPut)).toBe(true);
    expect(puts().map((p) => p.AlarmName)).toContain('ecsops-task-health-dev-web');
    expect(t.stdout()).toContain('~ us-east-1 dev: containerInsights disabled -> enabled');
  });

  it('an enhanced cluster counts as on', async () => {
    world.clusters.prod = { insights: 'enhanced', services: { web: 1 } };
    expect(await runAlarmCreate(options(), createTestContext().ctx)).toBe(ExitCode.ok);
    expect(ecs.commandCalls(UpdateClusterCommand)).toHaveLength(0);
  });

  it('SNS topic: alarm and OK actions by default, --no-ok-actions drops OK', async () => {
    await runAlarmCreate(options({ alarm: { topics: [TOPIC] } }), createTestContext().ctx);
    expect(puts()[0]).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC] });
    installWorld({ clusters: { prod: { insights: 'enabled', services: { web: 1 } } } });
    await runAlarmCreate(options({ alarm: { topics: [TOPIC], okActions: false } }), createTestContext().ctx);
    expect(puts()[0]).toMatchObject({ AlarmActions: [TOPIC], OKActions: [] });
  });

  it.each([
    ['a topic that does not exist', {}, 'arn:aws:sns:us-east-1:123456789012:missing', /does not exist/],
    [
      'a CMK-encrypted topic',
      { KmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234' },
      TOPIC,
      /cloudwatch\.amazonaws\.com kms:Decrypt and kms:GenerateDataKey\*/,
    ],
    [
      'a topic under alias/aws/sns',
      { KmsMasterKeyId: 'alias/aws/sns' },
      TOPIC,
      /AWS managed key alias\/aws\/sns/,
    ],
  ])('warns about %s but still creates the alarms', async (_name, attributes, topic, message) => {
    world.topics = { [TOPIC]: attributes };
    const t = createTestContext();
    expect(await runAlarmCreate(options({ alarm: { topics: [topic] } }), t.ctx)).toBe(ExitCode.ok);
    expect(t.stderr()).toMatch(message);
    expect(puts()).toHaveLength(2);
  });

  it('bad options are usage errors before any AWS call', async () => {
    await expect(
      runAlarmCreate(options({ alarm: { threshold: 2 } }), createTestContext().ctx),
    ).rejects.toThrow(/--threshold/);
    await expect(
      runAlarmCreate(options({ tags: [{ Key: 'ecsops:managed', Value: 'no' }] }), createTestContext().ctx),
    ).rejects.toThrow(/reserved/);
    await expect(runAlarmCreate(options({ allServices: false }), createTestContext().ctx)).rejects.toThrow(
      /--all-services/,
    );
    await expect(runAlarmCreate(options({ services: ['web'] }), createTestContext().ctx)).rejects.toThrow(
      /cannot be used together/,
    );
    expect(ecs.calls()).toHaveLength(0);
  });

  it('500 services: ListServices pages, DescribeServices 10 a call, DescribeAlarms pages; writes paced at 3 per second', async () => {
    const services = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`svc-${String(i).padStart(3, '0')}`, 1]),
    );
    world.clusters.prod = { insights: 'enabled', services };
    const t = createTestContext({ global: { concurrency: 8 } });
    const start = t.ctx.now();
    expect(await runAlarmCreate(options(), t.ctx)).toBe(ExitCode.ok);
    expect(ecs.commandCalls(ListServicesCommand)).toHaveLength(5);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual(
      Array(50).fill(10),
    );
    expect(puts()).toHaveLength(500);
    // The fake clock only moves when the pacer sleeps: 500 writes at 3 TPS take at least 166 s.
    expect(t.ctx.now() - start).toBeGreaterThanOrEqual(166_000);

    cloudwatch.resetHistory();
    const again = createTestContext();
    expect(await runAlarmCreate(options(), again.ctx)).toBe(ExitCode.ok);
    // 500 alarms come back in 5 DescribeAlarms pages of 100, and nothing is written.
    expect(cloudwatch.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(
      Array(5).fill('DescribeAlarmsCommand'),
    );
  });
});
