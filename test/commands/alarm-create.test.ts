import { DescribeAlarmsCommand, PutMetricAlarmCommand, TagResourceCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ListServicesCommand, UpdateClusterCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlarmCreateOptions,
  type AlarmCreateResult,
  runAlarmCreate,
} from '../../src/commands/alarm-create.js';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../src/core/alarm/definition.js';
import { planDistinctAlarmName } from '../../src/core/alarm/name.js';
import { ExitCode, InputError, InterruptedError } from '../../src/errors.js';
import { alarmCreateView } from '../../src/output/alarm.js';
import { present } from '../../src/output/present.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
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
  services: { kind: 'all' },
  alarm: {},
  actions: { kind: 'keep' },
  tags: [],
  includeZeroDesired: false,
  enableInsights: false,
  events: false,
  taskStops: false,
  dryRun: false,
  yes: true,
  ...over,
});
const withTopic = (okActions?: boolean): AlarmCreateOptions['actions'] => ({
  kind: 'topics',
  topics: [TOPIC],
  okActions,
});

/** Runs the command and renders its result the way the CLI does. */
async function create(
  over: Partial<AlarmCreateOptions> = {},
  t: TestContext = createTestContext(),
): Promise<AlarmCreateResult> {
  const result = await runAlarmCreate(options(over), t.ctx);
  present(t.ctx.out, result, alarmCreateView);
  if (result.kind !== 'apply') throw new Error('expected an apply result');
  return result;
}

const statuses = (r: AlarmCreateResult) =>
  r.apply.outcomes.map(
    (o) =>
      `${o.change.kind === 'enable-insights' ? o.change.clusterName : 'definition' in o.change ? o.change.definition.AlarmName : o.change.kind}:${o.status}`,
  );

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
const accessDenied = () =>
  Object.assign(new Error('User is not authorized to perform: ecs:UpdateCluster'), {
    name: 'AccessDeniedException',
    $metadata: { httpStatusCode: 400 },
  });

describe('alarm create', () => {
  it('apply: one PutMetricAlarm per service with desired > 0, carrying the designed definition and the tags', async () => {
    const t = createTestContext();
    const result = await create({ tags: [{ Key: 'team', Value: 'web' }] }, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(statuses(result)).toEqual([
      'ecsops-task-health-prod-api:applied',
      'ecsops-task-health-prod-web:applied',
    ]);
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
    expect(result.skipped).toEqual([expect.objectContaining({ serviceName: 'idle' })]);
    expect(t.stdout()).toContain('+ us-east-1 ecsops-task-health-prod-web (prod/web)');
    expect(t.stderr()).toContain('skipped us-east-1 prod/idle: desired count is 0');
    expect(t.stdout()).toContain('applied  us-east-1 ecsops-task-health-prod-web');
  });

  it('--include-zero-desired alarms the idle service too', async () => {
    await create({ includeZeroDesired: true });
    expect(puts().map((p) => p.AlarmName)).toContain('ecsops-task-health-prod-idle');
  });

  it('--service picks services by name; an unknown one is an input error and nothing is written', async () => {
    await create({ services: { kind: 'named', names: ['web'] } });
    expect(puts().map((p) => p.AlarmName)).toEqual(['ecsops-task-health-prod-web']);
    await expect(create({ services: { kind: 'named', names: ['nope'] } })).rejects.toThrow(InputError);
    expect(puts()).toHaveLength(1);
  });

  it('--dry-run sends zero writes', async () => {
    const t = createTestContext();
    const result = await create({ dryRun: true, yes: false }, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.apply.mode).toBe('dry-run');
    expect(writeCount()).toBe(0);
    expect(t.stderr()).toContain('Dry run: no changes were sent.');
  });

  it('declined at the prompt: nothing is written', async () => {
    const t = createTestContext({ interactive: true, answer: false });
    await expect(create({ yes: false }, t)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.prompts).toEqual(['Apply 2 change(s)?']);
    expect(writeCount()).toBe(0);
  });

  it('nothing to do: a second run writes nothing', async () => {
    await create();
    cloudwatch.resetHistory();
    const t = createTestContext({ global: { json: true } });
    const result = await create({}, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.apply.mode).toBe('nothing-to-do');
    expect(writeCount()).toBe(0);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({
      changes: [],
      unchanged: [{ alarmName: 'ecsops-task-health-prod-api' }, { alarmName: 'ecsops-task-health-prod-web' }],
    });
  });

  it('updates a changed alarm and says what changed; restores a missing tag with TagResource', async () => {
    await create();
    const name = 'ecsops-task-health-prod-web';
    world.alarms.set(name, { ...world.alarms.get(name), Threshold: 0.5, TreatMissingData: undefined });
    world.tags.set(alarmArn(name), [{ Key: 'ecsops:managed', Value: 'true' }]);
    cloudwatch.resetHistory();
    const t = createTestContext();
    expect((await create({}, t)).exitCode).toBe(ExitCode.ok);
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
    expect((await create({}, t)).exitCode).toBe(ExitCode.ok);
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
    expect((await create({}, t)).exitCode).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(
      doc.changes.map((c: { serviceName: string; status: string }) => `${c.serviceName}:${c.status}`),
    ).toEqual(['a:applied', 'b:failed', 'c:applied']);
    expect(doc.changes[1].error).toContain('cloudwatch:PutMetricAlarm');
    expect(doc.changes[1].error).toContain('Still throttled after 8 attempts');
    expect(doc.counts).toEqual({ applied: 2, failed: 1, notStarted: 0, skipped: 0 });

    const again = createTestContext({ global: { json: true } });
    expect((await create({}, again)).exitCode).toBe(ExitCode.ok);
    expect(JSON.parse(again.stdout()).changes.map((c: { serviceName: string }) => c.serviceName)).toEqual([
      'b',
    ]);
  });

  it('every write failing: exit 3 with 0 applied (not 4)', async () => {
    cloudwatch
      .on(PutMetricAlarmCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));
    const result = await create();
    expect(result.exitCode).toBe(ExitCode.aws);
    expect(result.apply.counts).toEqual({ applied: 0, failed: 2, notStarted: 0, skipped: 0 });
  });

  it('refuses when Container Insights is off, with the insights enable hint, and writes nothing', async () => {
    world.clusters.dev = { services: { web: 1 } };
    const error = await create({ clusters: ['prod', 'dev'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringContaining('Container Insights is off for cluster dev'),
      hint: expect.stringContaining('ecsops insights enable --cluster dev'),
    });
    expect(writeCount()).toBe(0);
  });

  it('--enable-insights turns it on first, then creates the alarms, in one run', async () => {
    world.clusters.dev = { services: { web: 1 } };
    const t = createTestContext();
    expect((await create({ clusters: ['prod', 'dev'], enableInsights: true }, t)).exitCode).toBe(ExitCode.ok);
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

  it('--enable-insights: no alarm for a cluster whose UpdateCluster failed; they are skipped with the reason', async () => {
    world.clusters.dev = { services: { web: 1, api: 1 } };
    ecs.on(UpdateClusterCommand).rejects(accessDenied());
    const t = createTestContext({ global: { json: true } });
    const result = await create({ clusters: ['prod', 'dev'], enableInsights: true }, t);
    expect(puts().map((p) => p.AlarmName)).toEqual([
      'ecsops-task-health-prod-api',
      'ecsops-task-health-prod-web',
    ]);
    expect(statuses(result)).toEqual([
      'dev:failed',
      'ecsops-task-health-dev-api:skipped',
      'ecsops-task-health-dev-web:skipped',
      'ecsops-task-health-prod-api:applied',
      'ecsops-task-health-prod-web:applied',
    ]);
    expect(result.apply.outcomes[1]?.reason).toContain(
      'Container Insights could not be turned on for cluster dev',
    );
    expect(result.exitCode).toBe(ExitCode.partial);
    const doc = JSON.parse(t.stdout());
    expect(doc.changes[1]).toMatchObject({
      alarmName: 'ecsops-task-health-dev-api',
      status: 'skipped',
      reason: expect.stringContaining('ecs:UpdateCluster'),
    });

    // Only that cluster: nothing was applied, so exit 3.
    cloudwatch.resetHistory();
    const only = await create({ clusters: ['dev'], enableInsights: true });
    expect(only.exitCode).toBe(ExitCode.aws);
    expect(puts()).toEqual([]);
  });

  it('an enhanced cluster counts as on', async () => {
    world.clusters.prod = { insights: 'enhanced', services: { web: 1 } };
    expect((await create()).exitCode).toBe(ExitCode.ok);
    expect(ecs.commandCalls(UpdateClusterCommand)).toHaveLength(0);
  });

  it('SNS topic: alarm and OK actions by default, --no-ok-actions drops OK', async () => {
    await create({ actions: withTopic() });
    expect(puts()[0]).toMatchObject({ AlarmActions: [TOPIC], OKActions: [TOPIC] });
    installWorld({ clusters: { prod: { insights: 'enabled', services: { web: 1 } } } });
    await create({ actions: withTopic(false) });
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
    const result = await create({ actions: { kind: 'topics', topics: [topic] } }, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(t.stderr()).toMatch(message);
    expect(puts()).toHaveLength(2);
  });

  it('bad options are usage errors before any AWS call', async () => {
    await expect(create({ alarm: { threshold: 2 } })).rejects.toThrow(/--threshold/);
    await expect(create({ tags: [{ Key: 'ecsops:managed', Value: 'no' }] })).rejects.toThrow(/reserved/);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('500 services: ListServices pages, DescribeServices 10 a call, DescribeAlarms pages; writes paced at 3 per second', async () => {
    const services = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`svc-${String(i).padStart(3, '0')}`, 1]),
    );
    world.clusters.prod = { insights: 'enabled', services };
    const t = createTestContext({ global: { concurrency: 8 } });
    const start = t.ctx.now();
    expect((await create({}, t)).exitCode).toBe(ExitCode.ok);
    expect(ecs.commandCalls(ListServicesCommand)).toHaveLength(5);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual(
      Array(50).fill(10),
    );
    expect(puts()).toHaveLength(500);
    // The fake clock only moves when the pacer sleeps: 500 writes at 3 TPS take at least 166 s.
    expect(t.ctx.now() - start).toBeGreaterThanOrEqual(166_000);

    cloudwatch.resetHistory();
    const again = createTestContext();
    expect((await create({}, again)).exitCode).toBe(ExitCode.ok);
    // 500 alarms come back in 5 DescribeAlarms pages of 100, and nothing is written.
    expect(cloudwatch.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(
      Array(5).fill('DescribeAlarmsCommand'),
    );
  });
});

describe('alarm create: notification actions on a re-run', () => {
  beforeEach(async () => {
    await create({ actions: withTopic() });
    cloudwatch.resetHistory();
  });

  it('without --sns-topic the existing actions are kept: nothing to do, no write', async () => {
    const t = createTestContext({ global: { json: true } });
    const result = await create({}, t);
    expect(result.apply.mode).toBe('nothing-to-do');
    expect(writeCount()).toBe(0);
    expect(JSON.parse(t.stdout()).warnings).toEqual([]);
  });

  it('without --sns-topic an update keeps the actions it found', async () => {
    const name = 'ecsops-task-health-prod-web';
    world.alarms.set(name, { ...world.alarms.get(name), Threshold: 0.5 });
    const result = await create();
    expect(result.apply.outcomes.map((o) => o.change.kind)).toEqual(['update-alarm']);
    expect(puts()).toEqual([
      expect.objectContaining({ AlarmName: name, Threshold: 1, AlarmActions: [TOPIC], OKActions: [TOPIC] }),
    ]);
  });

  it('--no-actions removes them, and says so in the plan', async () => {
    const t = createTestContext();
    const result = await create({ actions: { kind: 'none' } }, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(puts().map((p) => [p.AlarmName, p.AlarmActions, p.OKActions])).toEqual([
      ['ecsops-task-health-prod-api', [], []],
      ['ecsops-task-health-prod-web', [], []],
    ]);
    expect(t.stdout()).toContain(`    AlarmActions: ["${TOPIC}"] -> []`);
  });

  it('a new alarm without any topic gets a warning, on stderr and in the JSON', async () => {
    world.clusters.prod = { insights: 'enabled', services: { web: 2, api: 3, fresh: 1 } };
    const t = createTestContext({ global: { json: true } });
    const result = await create({}, t);
    expect(puts().map((p) => [p.AlarmName, p.AlarmActions])).toEqual([['ecsops-task-health-prod-fresh', []]]);
    expect(result.warnings).toEqual([expect.stringContaining('1 new alarm(s) have no actions')]);
    expect(t.stderr()).toContain('1 new alarm(s) have no actions');
    expect(JSON.parse(t.stdout()).warnings).toEqual(result.warnings);
  });
});

describe('alarm create: services whose names make the same alarm name', () => {
  const usual = 'ecsops-task-health-a-b-c';
  const distinct = planDistinctAlarmName('ecsops-task-health', { clusterName: 'a', serviceName: 'b-c' });
  beforeEach(() => {
    world = installWorld({
      clusters: {
        'a-b': { insights: 'enabled', services: { c: 1 } },
        a: { insights: 'enabled', services: { 'b-c': 1 } },
      },
    });
  });

  it('alarmed in separate runs: the second gets a distinct name and never touches the first alarm', async () => {
    await create({ clusters: ['a-b'] });
    const first = structuredClone(world.alarms.get(usual));
    const firstTags = structuredClone(world.tags.get(alarmArn(usual)));
    cloudwatch.resetHistory();

    const t = createTestContext();
    const second = await create({ clusters: ['a'] }, t);
    expect(second.exitCode).toBe(ExitCode.ok);
    expect(distinct).toMatch(/^ecsops-task-health-a-b-c-[0-9a-f]{8}$/);
    expect(puts().map((p) => p.AlarmName)).toEqual([distinct]);
    expect(cloudwatch.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(world.alarms.get(usual)).toEqual(first);
    expect(world.tags.get(alarmArn(usual))).toEqual(firstTags);
    expect(world.tags.get(alarmArn(distinct))).toEqual(managedTags('a', 'b-c'));
    expect(second.renamed).toEqual([
      {
        region: 'us-east-1',
        clusterName: 'a',
        serviceName: 'b-c',
        alarmName: distinct,
        takenName: usual,
        takenBy: 'a-b/c',
      },
    ]);
    expect(t.stdout()).toContain(`+ us-east-1 ${distinct} (a/b-c)`);
    expect(t.stderr()).toContain(`note: us-east-1 a/b-c: alarm name ${usual} belongs to a-b/c`);

    // Re-runs, alone or together, write nothing: each service finds its own alarm.
    cloudwatch.resetHistory();
    expect((await create({ clusters: ['a'] })).apply.mode).toBe('nothing-to-do');
    expect((await create({ clusters: ['a-b'] })).apply.mode).toBe('nothing-to-do');
    const both = await create({ clusters: ['a', 'a-b'] });
    expect(both.apply.mode).toBe('nothing-to-do');
    expect(both.unchanged.map((u) => `${u.clusterName}/${u.serviceName}=${u.alarmName}`)).toEqual([
      `a/b-c=${distinct}`,
      `a-b/c=${usual}`,
    ]);
    expect(writeCount()).toBe(0);
  });

  it('in one run: one keeps the usual name, the other gets the distinct one', async () => {
    const result = await create({ clusters: ['a', 'a-b'] });
    expect(
      puts().map((p) => [p.AlarmName, p.Tags?.find((tag) => tag.Key === 'ecsops:cluster')?.Value]),
    ).toEqual([
      [usual, 'a'],
      [planDistinctAlarmName('ecsops-task-health', { clusterName: 'a-b', serviceName: 'c' }), 'a-b'],
    ]);
    expect(result.renamed.map((r) => r.takenBy)).toEqual(['a/b-c']);
  });
});

describe('alarm create: Ctrl-C', () => {
  beforeEach(() => {
    world.clusters.prod = { insights: 'enabled', services: { a: 1, b: 1, c: 1, d: 1 } };
  });

  it('between writes: no write starts after it; the rest are not started; exit 130', async () => {
    const t = createTestContext({ global: { concurrency: 1, json: true } });
    let calls = 0;
    cloudwatch.on(PutMetricAlarmCommand).callsFake(() => {
      calls++;
      if (calls === 2) t.abort.abort();
      return {};
    });
    const result = await create({}, t);
    expect(calls).toBe(2);
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(result.apply.counts).toEqual({ applied: 2, failed: 0, notStarted: 2, skipped: 0 });
    expect(JSON.parse(t.stdout())).toMatchObject({ interrupted: true, counts: { notStarted: 2 } });
  });

  it('while writes wait for their pacing slot: none of them is sent, and they are not started (not failed)', async () => {
    const t = createTestContext({ global: { concurrency: 8 } });
    // A pacing wait that lasts until Ctrl-C, like a long queue behind the 3 TPS limit.
    t.ctx.sleep = () =>
      new Promise((resolve) => {
        if (t.abort.signal.aborted) resolve();
        t.abort.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    cloudwatch.on(PutMetricAlarmCommand).callsFake(() => {
      t.abort.abort();
      return {};
    });
    const result = await create({}, t);
    expect(puts()).toHaveLength(1);
    expect(result.apply.counts).toEqual({ applied: 1, failed: 0, notStarted: 3, skipped: 0 });
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(t.stdout()).toMatch(/not started us-east-1 ecsops-task-health-prod-b/);
  });

  it('while the prompt is open: nothing is written even when the answer is yes', async () => {
    const t = createTestContext({ interactive: true });
    t.ctx.confirm = async () => {
      t.abort.abort();
      return true;
    };
    const result = await create({ yes: false }, t);
    expect(writeCount()).toBe(0);
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(result.apply.counts.notStarted).toBe(4);
  });

  it('during the reads: nothing is planned from a partial read', async () => {
    world.clusters.dev = { insights: 'enabled', services: { web: 1 } };
    const t = createTestContext({ global: { concurrency: 1 } });
    // Two clusters, read one at a time: Ctrl-C during the first, so the second is never read.
    ecs.on(ListServicesCommand).callsFake(() => {
      t.abort.abort();
      return { serviceArns: ['arn:aws:ecs:us-east-1:123456789012:service/prod/a'] };
    });
    await expect(create({ clusters: ['prod', 'dev'] }, t)).rejects.toBeInstanceOf(InterruptedError);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    expect(writeCount()).toBe(0);
  });
});
