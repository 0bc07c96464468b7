import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../src/core/alarm/definition.js';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { callsMatching, motoClientConfig, resetMoto, startRecording, stopRecording } from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const cloudwatch = new CloudWatchClient(motoClientConfig());
const sns = new SNSClient(motoClientConfig());
let topicArn = '';

const WRITES = /^(cloudwatch:(PutMetricAlarm|TagResource|DeleteAlarms|PutDashboard)|ecs:Update)/;

async function seed() {
  await resetMoto();
  await ecs.send(
    new CreateClusterCommand({
      clusterName: 'on',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'off' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    }),
  );
  for (const [cluster, service, desiredCount] of [
    ['on', 'idle', 0],
    ['on', 'one', 1],
    ['on', 'three', 3],
    ['off', 'web', 1],
  ] as const) {
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: 'app', desiredCount }),
    );
  }
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
}

async function describeAlarm(name: string) {
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0];
}

describe('ecsops alarm and dashboard (built CLI against moto)', () => {
  beforeAll(seed);

  it('create refuses a cluster with Container Insights off, naming the fix, and writes nothing', async () => {
    await startRecording();
    const res = await runCli(['alarm', 'create', '--cluster', 'on,off', '--all-services', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Container Insights is off for cluster off');
    expect(res.stderr).toContain('ecsops insights enable --cluster off');
    expect(callsMatching(calls, WRITES)).toEqual([]);
  });

  it('--dry-run shows the plan and sends zero writes', async () => {
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'on',
      '--all-services',
      '--sns-topic',
      topicArn,
      '--dry-run',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('+ us-east-1 ecsops-task-health-on-one (on/one)');
    expect(res.stdout).toContain('+ us-east-1 ecsops-task-health-on-three (on/three)');
    expect(res.stderr).toContain('skipped us-east-1 on/idle: desired count is 0');
    expect(callsMatching(calls, WRITES)).toEqual([]);
  });

  it('create writes one PutMetricAlarm per service with desired > 0; DescribeAlarms returns exactly the designed alarm', async () => {
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'on',
      '--all-services',
      '--sns-topic',
      topicArn,
      '--tag',
      'team=ops',
      '--yes',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual([
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:PutMetricAlarm',
    ]);

    const designed = planTaskHealthAlarm(
      { clusterName: 'on', serviceName: 'three' },
      resolveAlarmOptions({ topics: [topicArn] }),
    );
    const alarm = await describeAlarm(designed.AlarmName);
    expect(alarm).toMatchObject({
      AlarmName: designed.AlarmName,
      AlarmDescription: designed.AlarmDescription,
      ActionsEnabled: true,
      AlarmActions: [topicArn],
      OKActions: [topicArn],
      InsufficientDataActions: [],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'ignore',
    });
    expect(alarm?.Metrics).toEqual(designed.Metrics);
    const tags = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm?.AlarmArn }));
    expect(tags.Tags).toEqual([
      { Key: 'ecsops:managed', Value: 'true' },
      { Key: 'ecsops:cluster', Value: 'on' },
      { Key: 'ecsops:service', Value: 'three' },
      { Key: 'team', Value: 'ops' },
    ]);
    expect(await describeAlarm('ecsops-task-health-on-idle')).toBeUndefined();
  });

  it('a second create writes nothing: only reads, zero PutMetricAlarm', async () => {
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'on',
      '--all-services',
      '--sns-topic',
      topicArn,
      '--tag',
      'team=ops',
      '--yes',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Nothing to do.');
    expect(callsMatching(calls, /PutMetricAlarm/)).toEqual([]);
    expect(calls.map((c) => c.operation).sort()).toEqual(
      [
        'ecs:DescribeClusters',
        'ecs:ListServices',
        'ecs:DescribeServices',
        'cloudwatch:DescribeAlarms',
        'sns:GetTopicAttributes',
        // The cluster's events rule, read and found as planned.
        'events:ListRules',
        'events:ListTagsForResource',
        'events:ListTargetsByRule',
      ].sort(),
    );
  });

  it('an alarm changed by hand is put back, and the change is shown', async () => {
    const name = 'ecsops-task-health-on-one';
    const current = await describeAlarm(name);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Metrics: current?.Metrics,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 0.5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'ignore',
        AlarmActions: [topicArn],
        OKActions: [topicArn],
        AlarmDescription: current?.AlarmDescription,
      }),
    );
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'on',
      '--service',
      'one',
      '--sns-topic',
      topicArn,
      '--tag',
      'team=ops',
      '--yes',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('    Threshold: 0.5 -> 1');
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual(['cloudwatch:PutMetricAlarm']);
    expect((await describeAlarm(name))?.Threshold).toBe(1);
  });

  it('--enable-insights turns Container Insights on and creates the alarm in the same run', async () => {
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'off',
      '--all-services',
      '--enable-insights',
      '--yes',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual([
      'ecs:UpdateCluster',
      'cloudwatch:PutMetricAlarm',
    ]);
    expect(await describeAlarm('ecsops-task-health-off-web')).toBeDefined();
  });

  it('list shows the managed alarms with state and service, as a table and as JSON', async () => {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'ecsops-task-health-manual',
        MetricName: 'X',
        Namespace: 'N',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const human = await runCli(['alarm', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/us-east-1\s+on\s+three\s+\S+\s+ecsops-task-health-on-three/);
    expect(human.stdout).not.toContain('manual');
    const doc = parseJsonDocument(await runCli(['alarm', 'list', '--json']));
    expect(
      (doc.alarms as { clusterName: string; serviceName: string }[]).map(
        (a) => `${a.clusterName}/${a.serviceName}`,
      ),
    ).toEqual(['off/web', 'on/one', 'on/three']);
  });

  it('delete refuses an alarm ecsops did not create, and deletes by cluster and service', async () => {
    const refused = await runCli(['alarm', 'delete', '--name', 'ecsops-task-health-manual', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not managed by ecsops');
    expect(await describeAlarm('ecsops-task-health-manual')).toBeDefined();

    await startRecording();
    const res = await runCli(['alarm', 'delete', '--cluster', 'off', '--service', 'web', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual(['cloudwatch:DeleteAlarms']);
    expect(await describeAlarm('ecsops-task-health-off-web')).toBeUndefined();
  });

  it('prune deletes the alarm of a deleted service and keeps the others; a second prune does nothing', async () => {
    await ecs.send(new DeleteServiceCommand({ cluster: 'on', service: 'one', force: true }));
    const dry = await runCli(['alarm', 'prune', '--dry-run']);
    expect(dry.stdout).toContain('- us-east-1 ecsops-task-health-on-one (on/one): service no longer exists');
    const res = await runCli(['alarm', 'prune', '--yes']);
    expect(res.code).toBe(0);
    expect(await describeAlarm('ecsops-task-health-on-one')).toBeUndefined();
    expect(await describeAlarm('ecsops-task-health-on-three')).toBeDefined();
    expect(await describeAlarm('ecsops-task-health-manual')).toBeDefined();
    const again = await runCli(['alarm', 'prune', '--yes']);
    expect(again.stderr).toContain('Nothing to do.');
  });

  it('dashboard create twice: the second run writes nothing', async () => {
    await startRecording();
    const first = await runCli(['dashboard', 'create', '--cluster', 'on', '--name', 'ecsops-on', '--yes']);
    const second = await runCli(['dashboard', 'create', '--cluster', 'on', '--name', 'ecsops-on', '--yes']);
    const calls = await stopRecording();
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('+ us-east-1 dashboard ecsops-on');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('up to date');
    expect(callsMatching(calls, /PutDashboard/)).toHaveLength(1);
  });
});
