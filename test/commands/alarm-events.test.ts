/**
 * The events rule, blind-spot messages and --emit of the alarm commands, end to end over mocked
 * ECS / CloudWatch / SNS / EventBridge clients (alarm-world.ts).
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlarmCreateOptions,
  type AlarmCreateResult,
  type AlarmEmitResult,
  runAlarmCreate,
} from '../../src/commands/alarm-create.js';
import { runAlarmDelete } from '../../src/commands/alarm-delete.js';
import { readClusterEventsRules } from '../../src/commands/alarm-events.js';
import { type AlarmListResult, runAlarmList } from '../../src/commands/alarm-list.js';
import { runAlarmPrune } from '../../src/commands/alarm-prune.js';
import { runDashboardCreate } from '../../src/commands/dashboard-create.js';
import { TOPIC_POLICY_SID } from '../../src/core/alarm/events.js';
import { planLogicalId, resolveTemplateRefs } from '../../src/core/alarm/template.js';
import { ExitCode } from '../../src/errors.js';
import { alarmCreateView, alarmListView } from '../../src/output/alarm.js';
import { present } from '../../src/output/present.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import {
  cloudwatch,
  ecs,
  events,
  eventsWriteCount,
  installWorld,
  sns,
  TOPIC,
  type World,
  writeCount,
} from './alarm-world.js';

const options = (over: Partial<AlarmCreateOptions> = {}): AlarmCreateOptions => ({
  clusters: ['prod'],
  services: { kind: 'all' },
  alarm: {},
  actions: { kind: 'topics', topics: [TOPIC] },
  tags: [],
  includeZeroDesired: false,
  enableInsights: false,
  events: true,
  taskStops: false,
  dryRun: false,
  yes: true,
  ...over,
});

async function create(over: Partial<AlarmCreateOptions> = {}, t: TestContext = createTestContext()) {
  const result = await runAlarmCreate(options(over), t.ctx);
  present(t.ctx.out, result, alarmCreateView);
  return result;
}
const applied = (r: AlarmCreateResult | AlarmEmitResult): AlarmCreateResult => {
  if (r.kind !== 'apply') throw new Error('expected an apply');
  return r;
};

let world: World;
beforeEach(() => {
  world = installWorld({
    clusters: {
      prod: { insights: 'enabled', services: { web: 2, api: 3, idle: 0 } },
      stage: { insights: 'enabled', services: { web: 1 } },
    },
    running: { 'prod/web': 2, 'prod/api': 1 },
  });
});
afterEach(() => {
  ecs.reset();
  cloudwatch.reset();
  sns.reset();
  events.reset();
});

describe('alarm create: the ECS failure-events rule', () => {
  it('makes one rule per cluster with the topic as target, after the topic policy allows it', async () => {
    const result = applied(await create({ clusters: ['prod', 'stage'] }));
    expect(result.exitCode).toBe(ExitCode.ok);
    expect([...world.rules.keys()]).toEqual(['ecsops-events-prod', 'ecsops-events-stage']);
    const rule = world.rules.get('ecsops-events-prod');
    expect(rule?.State).toBe('ENABLED');
    expect(rule?.targets).toEqual([{ Id: 'ecsops-alerts', Arn: TOPIC }]);
    expect(rule?.tags).toEqual([
      { Key: 'ecsops:managed', Value: 'true' },
      { Key: 'ecsops:cluster', Value: 'prod' },
    ]);
    expect(JSON.parse(rule?.EventPattern ?? '{}').$or[0].detail.clusterArn).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    ]);
    // One policy write for both rules, before any target points at the topic.
    const policy = JSON.parse(world.topics[TOPIC]?.Policy ?? '{}');
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Sid: TOPIC_POLICY_SID,
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          ArnEquals: {
            'aws:SourceArn': [
              'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-prod',
              'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-stage',
            ],
          },
        },
      }),
    ]);
    const firstTarget = world.log.findIndex((l) => l.startsWith('PutTargets'));
    const lastRule = world.log.findLastIndex((l) => l.startsWith('PutRule'));
    const policyWrite = world.log.findIndex((l) => l.startsWith('SetTopicAttributes'));
    expect(policyWrite).toBeGreaterThanOrEqual(0);
    expect(policyWrite).toBeLessThan(firstTarget);
    expect(lastRule).toBeLessThan(firstTarget);
    expect(sns.commandCalls(SetTopicAttributesCommand)).toHaveLength(1);
  });

  it('a second run writes nothing (alarms, rules, targets, policy unchanged)', async () => {
    await create({ clusters: ['prod', 'stage'] });
    const before = writeCount();
    const t = createTestContext();
    const second = applied(await create({ clusters: ['prod', 'stage'] }, t));
    expect(second.apply.mode).toBe('nothing-to-do');
    expect(writeCount()).toBe(before);
    expect(second.eventsUnchanged.map((u) => u.ruleName)).toEqual([
      'ecsops-events-prod',
      'ecsops-events-stage',
    ]);
    expect(t.stderr()).toContain('2 unchanged, 0 topic policies to update');
  });

  it("reads only the named clusters' rules (ListRules once a region; tags and targets of those rules)", async () => {
    await create({ clusters: ['prod', 'stage'] });
    events.resetHistory();
    await create({ clusters: ['prod'] });
    expect(events.commandCalls(ListRulesCommand)).toHaveLength(1);
    expect(events.commandCalls(ListTargetsByRuleCommand).map((c) => c.args[0].input.Rule)).toEqual([
      'ecsops-events-prod',
    ]);
  });

  it('--dry-run: the rule, target and policy are planned, zero writes', async () => {
    const t = createTestContext();
    const result = applied(await create({ dryRun: true, yes: false }, t));
    expect(result.apply.outcomes.map((o) => o.change.kind)).toEqual([
      'create-alarm',
      'create-alarm',
      'create-rule',
      'put-targets',
      'put-topic-policy',
    ]);
    expect(writeCount()).toBe(0);
    expect(t.stdout()).toContain('+ us-east-1 events rule ecsops-events-prod (cluster prod)');
    expect(t.stdout()).toContain(`+ us-east-1 events rule ecsops-events-prod -> ${TOPIC}`);
  });

  it('--no-events: no EventBridge call at all', async () => {
    await create({ events: false });
    expect(events.calls()).toHaveLength(0);
    expect(eventsWriteCount()).toBe(0);
    expect(world.rules.size).toBe(0);
  });

  it('--task-stops adds the task branch; changing it later updates the rule in place', async () => {
    await create({ taskStops: true });
    expect(JSON.parse(world.rules.get('ecsops-events-prod')?.EventPattern ?? '{}').$or).toHaveLength(3);
    await create();
    expect(JSON.parse(world.rules.get('ecsops-events-prod')?.EventPattern ?? '{}').$or).toHaveLength(2);
    expect(events.commandCalls(PutRuleCommand)).toHaveLength(2);
    expect(events.commandCalls(PutTargetsCommand)).toHaveLength(1);
  });

  it('the topic policy write failing blocks the targets (reported, exit 4); a re-run finishes', async () => {
    sns
      .on(SetTopicAttributesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationError', $metadata: {} }));
    const result = applied(await create());
    expect(result.exitCode).toBe(ExitCode.partial);
    const byKind = Object.fromEntries(result.apply.outcomes.map((o) => [o.change.kind, o]));
    expect(byKind['put-topic-policy']?.status).toBe('failed');
    expect(byKind['create-rule']?.status).toBe('applied');
    expect(byKind['put-targets']?.status).toBe('skipped');
    expect(byKind['put-targets']?.reason).toContain('EventBridge could not publish');
    expect(world.rules.get('ecsops-events-prod')?.targets).toEqual([]);
  });

  it('events rules that cannot be read: the alarms are still applied, a warning names the action, exit 3', async () => {
    events.on(ListRulesCommand).rejects(
      Object.assign(new Error('not authorized to perform: events:ListRules'), {
        name: 'AccessDeniedException',
        $metadata: {},
      }),
    );
    const t = createTestContext();
    const result = applied(await create({}, t));
    expect(result.exitCode).toBe(ExitCode.aws);
    expect(cloudwatch.commandCalls(PutMetricAlarmCommand)).toHaveLength(2);
    expect(eventsWriteCount()).toBe(0);
    expect(t.stderr()).toContain('Could not read the ECS events rules');
    expect(t.stderr()).toContain('events:ListRules');
    expect(t.stderr()).toContain('--no-events');
  });

  it('keeps every existing statement of the topic policy', async () => {
    const existing = {
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'SNS:Publish',
          Resource: TOPIC,
        },
      ],
    };
    world.topics[TOPIC] = { Policy: JSON.stringify(existing) };
    await create();
    const policy = JSON.parse(world.topics[TOPIC]?.Policy ?? '{}');
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      '__default_statement_ID',
      TOPIC_POLICY_SID,
    ]);
  });

  it('without --sns-topic nothing is written for events, and a cluster without a rule is named', async () => {
    const t = createTestContext();
    await create({ actions: { kind: 'keep' } }, t);
    expect(eventsWriteCount()).toBe(0);
    expect(t.stderr()).toContain('No ECS events rule for cluster prod');
  });

  it("--no-actions removes the ecsops targets of the rule, as it removes the alarms' actions", async () => {
    await create();
    await create({ actions: { kind: 'none' } });
    expect(world.rules.get('ecsops-events-prod')?.targets).toEqual([]);
  });

  it('a KMS-encrypted topic warns that EventBridge needs the key too', async () => {
    world.topics[TOPIC] = { KmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k' };
    const t = createTestContext();
    await create({ dryRun: true, yes: false }, t);
    expect(t.stderr()).toContain('cloudwatch.amazonaws.com and events.amazonaws.com');
  });

  it('says at once which services are down or short now', async () => {
    const t = createTestContext();
    const result = applied(await create({ dryRun: true, yes: false }, t));
    expect(result.shortNow).toEqual([
      { region: 'us-east-1', clusterName: 'prod', serviceName: 'api', runningCount: 1, desiredCount: 3 },
    ]);
    expect(t.stderr()).toContain('prod/api: running 1 of 3 right now');
    world.running['prod/api'] = 0;
    const t2 = createTestContext();
    await create({ dryRun: true, yes: false }, t2);
    expect(t2.stderr()).toContain('prod/api: running 0 of 3 right now');
    expect(t2.stderr()).toContain('the events rule is what reports it');
    expect(t2.stderr()).not.toContain('prod/web: running');
  });
});

describe('alarm delete / prune: the rule goes with the last alarm of its cluster', () => {
  it('delete of one service keeps the rule; of the last one removes targets then the rule', async () => {
    await create({ clusters: ['prod', 'stage'] });
    const del = (services: string[]) =>
      runAlarmDelete(
        { selection: { kind: 'services', clusters: ['prod'], services }, dryRun: false, yes: true },
        createTestContext().ctx,
      );
    await del(['web']);
    expect(world.rules.has('ecsops-events-prod')).toBe(true);
    world.log.length = 0;
    const result = await del(['api']);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(world.rules.has('ecsops-events-prod')).toBe(false);
    expect(world.rules.has('ecsops-events-stage')).toBe(true);
    expect(world.log).toEqual([
      'DeleteAlarms ecsops-task-health-prod-api',
      'RemoveTargets ecsops-events-prod',
      'DeleteRule ecsops-events-prod',
      `SetTopicAttributes ${TOPIC}`,
    ]);
    // The topic policy no longer names the deleted rule; the stage rule is still allowed.
    const statement = JSON.parse(world.topics[TOPIC]?.Policy ?? '{}').Statement[0];
    expect(statement.Condition.ArnEquals['aws:SourceArn']).toEqual([
      'arn:aws:events:us-east-1:123456789012:rule/ecsops-events-stage',
    ]);
    // A second run has nothing to do.
    const again = await del(['api']);
    expect(again.apply.mode).toBe('nothing-to-do');
  });

  it('a rule without the ecsops tags is never deleted', async () => {
    await create();
    const rule = world.rules.get('ecsops-events-prod');
    if (rule) rule.tags = [];
    await runAlarmDelete(
      { selection: { kind: 'services', clusters: ['prod'], services: [] }, dryRun: false, yes: true },
      createTestContext().ctx,
    );
    expect(world.rules.has('ecsops-events-prod')).toBe(true);
  });

  it('prune removes the rule when every alarm of the cluster goes', async () => {
    await create({ clusters: ['stage'] });
    world.clusters.stage = { insights: 'enabled', services: {} };
    const result = await runAlarmPrune({ clusters: [], dryRun: false, yes: true }, createTestContext().ctx);
    // The alarm, the rule, and the topic policy (its last ecsops rule gone, the statement goes).
    expect(result.apply.counts.applied).toBe(3);
    expect(world.rules.has('ecsops-events-stage')).toBe(false);
    expect(JSON.parse(world.topics[TOPIC]?.Policy ?? '{}').Statement).toEqual([]);
  });
});

describe('alarm list: rules and --check', () => {
  const list = async (check: boolean) => {
    const t = createTestContext();
    const result = await runAlarmList({ clusters: [], check }, t.ctx);
    present(t.ctx.out, result, alarmListView);
    return { result: result as AlarmListResult, t };
  };

  it("shows each cluster's events rule", async () => {
    await create();
    const { result, t } = await list(false);
    expect(result.rules).toEqual([
      {
        region: 'us-east-1',
        clusterName: 'prod',
        ruleName: 'ecsops-events-prod',
        present: true,
        enabled: true,
        topicArns: [TOPIC],
      },
    ]);
    expect(t.stdout()).toContain('EVENTS RULE');
    expect(result.problems).toBeUndefined();
  });

  it('--check: exit 0 when every alarm can fire; exit 1 naming Container Insights off, a gone or idle service, stale INSUFFICIENT_DATA', async () => {
    await create();
    for (const a of world.alarms.values()) a.StateValue = 'OK';
    expect((await list(true)).result.exitCode).toBe(ExitCode.ok);

    const web = world.alarms.get('ecsops-task-health-prod-web');
    if (web) {
      web.StateValue = 'INSUFFICIENT_DATA';
      web.StateTransitionedTimestamp = new Date(1_700_000_000_000 - 3600_000);
    }
    world.clusters.prod = { insights: 'enabled', services: { web: 2 } };
    const { result, t } = await list(true);
    expect(result.exitCode).toBe(ExitCode.findings);
    expect(result.problems?.map((p) => [p.kind, p.serviceName])).toEqual([
      ['service-missing', 'api'],
      ['insufficient-data', 'web'],
    ]);
    expect(t.stdout()).toContain('prod/api: the service no longer exists');

    world.clusters.prod = { insights: 'disabled', services: { web: 2, api: 0 } };
    expect((await list(true)).result.problems?.map((p) => p.kind)).toEqual(['insights-off', 'insights-off']);
  });

  it('readClusterEventsRules answers per cluster (for audit)', async () => {
    await create();
    const status = await readClusterEventsRules(createTestContext().ctx, [
      { region: 'us-east-1', clusterName: 'prod' },
      { region: 'us-east-1', clusterName: 'stage' },
    ]);
    expect(status.map((s) => [s.clusterName, s.present])).toEqual([
      ['prod', true],
      ['stage', false],
    ]);
    expect(events.commandCalls(ListRulesCommand).at(-1)?.args[0].input.NamePrefix).toBe('ecsops-events-');
  });
});

describe('--emit cloudformation', () => {
  it('alarm create: zero writes; the alarm properties equal what PutMetricAlarm sends for the same services', async () => {
    const t = createTestContext();
    const emitted = await create(
      { emit: { kind: 'cloudformation', format: 'json' }, tags: [{ Key: 'team', Value: 'a' }] },
      t,
    );
    if (emitted.kind !== 'emit') throw new Error('expected a template');
    expect(writeCount()).toBe(0);
    expect(emitted.alarms).toBe(2);
    expect(emitted.rules).toBe(1);
    expect(JSON.parse(t.stdout())).toEqual(emitted.template);

    await create({ tags: [{ Key: 'team', Value: 'a' }] });
    const sent = cloudwatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(2);
    for (const input of sent) {
      const resource = emitted.template.Resources[planLogicalId('Alarm', input.AlarmName ?? '')];
      expect(resolveTemplateRefs(resource?.Properties, emitted.template.Parameters)).toEqual(input);
    }
  });

  it('is byte-identical on a second run; YAML with --format yaml', async () => {
    const a = await create({ emit: { kind: 'cloudformation', format: 'yaml' } });
    const b = await create({ emit: { kind: 'cloudformation', format: 'yaml' } });
    if (a.kind !== 'emit' || b.kind !== 'emit') throw new Error('expected templates');
    expect(a.text).toBe(b.text);
    expect(a.text).toContain('AWSTemplateFormatVersion: 2010-09-09');
    expect(a.text).toContain('Type: AWS::Events::Rule');
  });

  it('dashboard create: the body as AWS::CloudWatch::Dashboard, zero writes', async () => {
    const result = await runDashboardCreate(
      {
        clusters: ['prod'],
        force: false,
        emit: { kind: 'cloudformation', format: 'json' },
        dryRun: false,
        yes: false,
      },
      createTestContext().ctx,
    );
    if (result.kind !== 'emit') throw new Error('expected a template');
    expect(writeCount()).toBe(0);
    const dashboard = Object.values(result.template.Resources)[0];
    expect(dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(dashboard?.Properties.DashboardName).toBe('ecsops-prod');
    expect(JSON.parse(String(dashboard?.Properties.DashboardBody)).widgets.length).toBeGreaterThan(0);
  });
});
