/**
 * The ECS failure-events rule, the blind-spot refusals and --emit cloudformation: the built CLI
 * against moto (EventBridge, SNS, CloudWatch and CloudFormation's ValidateTemplate are emulated).
 * Pattern matching itself is unit-tested (test/core/alarm/events.test.ts): moto's TestEventPattern
 * does not answer over HTTP.
 */
import { CloudFormationClient, ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { planEventPattern, TOPIC_POLICY_SID } from '../../src/core/alarm/events.js';
import { resolveTemplateRefs } from '../../src/core/alarm/template.js';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const cloudwatch = new CloudWatchClient(motoClientConfig());
const sns = new SNSClient(motoClientConfig());
const eventbridge = new EventBridgeClient(motoClientConfig());
const cloudformation = new CloudFormationClient(motoClientConfig());
let topicArn = '';

/** Every write the alarm commands can send. */
const WRITES =
  /^(cloudwatch:(PutMetricAlarm|TagResource|DeleteAlarms|PutDashboard)|ecs:Update|events:(PutRule|PutTargets|RemoveTargets|DeleteRule|TagResource)|sns:SetTopicAttributes)/;
const clusterArn = (name: string) => `arn:aws:ecs:us-east-1:${MOTO_ACCOUNT}:cluster/${name}`;

async function seed() {
  await resetMoto();
  for (const name of ['prod', 'other']) {
    await ecs.send(
      new CreateClusterCommand({
        clusterName: name,
        settings: [{ name: 'containerInsights', value: 'enabled' }],
      }),
    );
  }
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    }),
  );
  for (const [cluster, service, desiredCount] of [
    ['prod', 'web', 2],
    ['prod', 'api', 1],
    ['other', 'x', 1],
  ] as const) {
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: 'app', desiredCount }),
    );
  }
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
}

const rules = async () =>
  (await eventbridge.send(new ListRulesCommand({ NamePrefix: 'ecsops-events-' }))).Rules ?? [];
const topicPolicy = async () =>
  JSON.parse(
    (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.Policy ?? '{}',
  ) as { Statement: { Sid: string; Principal?: unknown; Condition?: unknown }[] };
const createProd = (...extra: string[]) =>
  runCli(['alarm', 'create', '--cluster', 'prod', '--all-services', '--sns-topic', topicArn, ...extra]);

describe('alarm events rule, blind spots and --emit (built CLI against moto)', () => {
  beforeAll(seed);

  it('--emit cloudformation sends zero writes, prints a template ValidateTemplate accepts (JSON and YAML)', async () => {
    await startRecording();
    const json = await createProd('--emit', 'cloudformation');
    const yaml = await createProd('--emit', 'cloudformation', '--format', 'yaml');
    const again = await createProd('--emit', 'cloudformation');
    const calls = await stopRecording();
    expect(json.code).toBe(0);
    expect(yaml.code).toBe(0);
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(again.stdout).toBe(json.stdout);
    const template = JSON.parse(json.stdout);
    expect(
      Object.values(template.Resources)
        .map((r) => (r as { Type: string }).Type)
        .sort(),
    ).toEqual(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Alarm', 'AWS::Events::Rule']);
    expect(template.Parameters.AlarmTopic1Arn.Default).toBe(topicArn);
    expect(yaml.stdout).toContain('Type: AWS::Events::Rule');
    for (const body of [json.stdout, yaml.stdout]) {
      await expect(
        cloudformation.send(new ValidateTemplateCommand({ TemplateBody: body })),
      ).resolves.toBeDefined();
    }
    // The check can fail: moto rejects a template that does not parse.
    await expect(
      cloudformation.send(new ValidateTemplateCommand({ TemplateBody: json.stdout.slice(0, -10) })),
    ).rejects.toThrow();
    // --json carries the template object in the one document.
    const doc = parseJsonDocument(await createProd('--emit', 'cloudformation', '--json'));
    expect(doc.template).toEqual(template);
  });

  it('dashboard create --emit cloudformation --format yaml: zero writes, valid template', async () => {
    await startRecording();
    const res = await runCli([
      'dashboard',
      'create',
      '--cluster',
      'prod',
      '--emit',
      'cloudformation',
      '--format',
      'yaml',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, /GetDashboard/)).toEqual([]);
    expect(res.stdout).toContain('Type: AWS::CloudWatch::Dashboard');
    await cloudformation.send(new ValidateTemplateCommand({ TemplateBody: res.stdout }));
  });

  let emitted: {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Parameters: never;
  };
  it('create: says which services are down now; makes the rule, its target and the topic policy (policy before targets)', async () => {
    emitted = JSON.parse((await createProd('--emit', 'cloudformation')).stdout);
    await startRecording();
    const res = await createProd('--yes');
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    // moto reports runningCount 0: an alarm born in an outage is named, not taken for health.
    expect(res.stderr).toContain('prod/web: running 0 of 2 right now');
    expect(res.stderr).toContain('prod/api: running 0 of 1 right now');
    const writes = callsMatching(calls, WRITES).map((c) => c.operation);
    expect(writes.filter((w) => !w.startsWith('cloudwatch:'))).toEqual([
      'sns:SetTopicAttributes',
      'events:PutRule',
      'events:PutTargets',
    ]);

    const [rule, ...others] = await rules();
    expect(others).toEqual([]);
    expect(rule?.Name).toBe('ecsops-events-prod');
    expect(rule?.State).toBe('ENABLED');
    expect(JSON.parse(rule?.EventPattern ?? '{}')).toEqual(
      planEventPattern(
        { region: 'us-east-1', clusterName: 'prod', clusterArn: clusterArn('prod') },
        { taskStops: false },
      ),
    );
    const targets = await eventbridge.send(new ListTargetsByRuleCommand({ Rule: 'ecsops-events-prod' }));
    expect(targets.Targets?.map((t) => ({ Id: t.Id, Arn: t.Arn }))).toEqual([
      { Id: 'ecsops-alerts', Arn: topicArn },
    ]);
    const tags = await eventbridge.send(new ListTagsForResourceCommand({ ResourceARN: rule?.Arn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'ecsops:managed', Value: 'true' },
        { Key: 'ecsops:cluster', Value: 'prod' },
      ]),
    );
    const policy = await topicPolicy();
    // moto's default statement is kept; ours is added once.
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['__default_statement_ID', TOPIC_POLICY_SID]);
    expect(policy.Statement[1]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': [rule?.Arn] } },
    });

    // The template's alarm properties are what PutMetricAlarm stored.
    const stored =
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'ecsops-task-health-prod-' })))
        .MetricAlarms ?? [];
    expect(stored).toHaveLength(2);
    for (const alarm of stored) {
      const resource = Object.values(emitted.Resources).find(
        (r) => r.Properties.AlarmName === alarm.AlarmName,
      );
      const { Tags: _tags, ...properties } = resolveTemplateRefs(
        resource?.Properties,
        emitted.Parameters,
      ) as Record<string, unknown>;
      expect(alarm).toMatchObject(properties);
    }
  });

  it('a second create writes nothing (recorder): alarms, rule, targets and policy unchanged', async () => {
    await startRecording();
    const res = await createProd('--yes');
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Nothing to do.');
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect((await topicPolicy()).Statement).toHaveLength(2);
  });

  it('--no-events makes no EventBridge call and no rule', async () => {
    await startRecording();
    const res = await runCli([
      'alarm',
      'create',
      '--cluster',
      'other',
      '--all-services',
      '--sns-topic',
      topicArn,
      '--no-events',
      '--yes',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(callsMatching(calls, /^events:/)).toEqual([]);
    expect(callsMatching(calls, /^sns:SetTopicAttributes/)).toEqual([]);
    expect((await rules()).map((r) => r.Name)).toEqual(['ecsops-events-prod']);
  });

  it('list shows the rule per cluster; --check passes while every alarm can fire', async () => {
    const doc = parseJsonDocument(await runCli(['alarm', 'list', '--json']));
    expect(doc.rules).toEqual([
      {
        region: 'us-east-1',
        clusterName: 'other',
        ruleName: 'ecsops-events-other',
        present: false,
        enabled: false,
        topicArns: [],
      },
      {
        region: 'us-east-1',
        clusterName: 'prod',
        ruleName: 'ecsops-events-prod',
        present: true,
        enabled: true,
        topicArns: [topicArn],
      },
    ]);
    const check = await runCli(['alarm', 'list', '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('every alarm can fire');
  });

  it('insights disable is refused (exit 2, naming the alarms it would blind) and writes nothing', async () => {
    await startRecording();
    const res = await runCli(['insights', 'disable', '--cluster', 'prod', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Refusing to turn Container Insights off for cluster prod');
    expect(res.stderr).toContain('ecsops-task-health-prod-api');
    expect(res.stderr).toContain('ecsops-task-health-prod-web');
    expect(res.stderr).toContain('--force');
    expect(callsMatching(calls, WRITES)).toEqual([]);
  });

  it('insights disable --force turns it off; list --check then exits 1 naming Container Insights off', async () => {
    const res = await runCli(['insights', 'disable', '--cluster', 'prod', '--force', '--yes']);
    expect(res.code).toBe(0);
    const check = await runCli(['alarm', 'list', '--check', '--json']);
    expect(check.code).toBe(1);
    const doc = parseJsonDocument(check);
    expect(
      (doc.problems as { kind: string; serviceName: string }[]).map((p) => `${p.kind} ${p.serviceName}`),
    ).toEqual(['insights-off api', 'insights-off web']);
    await runCli(['insights', 'enable', '--cluster', 'prod', '--yes']);
  });

  it('list --check exits 1 for a service scaled to 0 and for one deleted', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: 'other', service: 'x', desiredCount: 0 }));
    const check = await runCli(['alarm', 'list', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('other/x: desired count is 0');
    await ecs.send(new DeleteServiceCommand({ cluster: 'other', service: 'x', force: true }));
    const gone = await runCli(['alarm', 'list', '--check']);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain('other/x: the service no longer exists');
  });

  it("delete of one service keeps the rule; of the cluster's last alarm removes its targets, then the rule", async () => {
    await runCli(['alarm', 'delete', '--cluster', 'prod', '--service', 'web', '--yes']);
    expect((await rules()).map((r) => r.Name)).toEqual(['ecsops-events-prod']);
    await startRecording();
    const dry = await runCli(['alarm', 'delete', '--cluster', 'prod', '--dry-run']);
    const res = await runCli(['alarm', 'delete', '--cluster', 'prod', '--yes']);
    const calls = await stopRecording();
    expect(dry.stdout).toContain(
      '- us-east-1 events rule ecsops-events-prod (cluster prod): its last alarm goes',
    );
    expect(res.code).toBe(0);
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual([
      'cloudwatch:DeleteAlarms',
      'events:RemoveTargets',
      'events:DeleteRule',
      'sns:SetTopicAttributes',
    ]);
    expect(await rules()).toEqual([]);
    // The topic policy keeps moto's default statement and drops ours with its last rule.
    expect((await topicPolicy()).Statement.map((st) => st.Sid)).toEqual(['__default_statement_ID']);
  });

  it('prune removes the rule with the last alarm of its cluster', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'other',
        serviceName: 'y',
        taskDefinition: 'app',
        desiredCount: 1,
      }),
    );
    await runCli([
      'alarm',
      'create',
      '--cluster',
      'other',
      '--service',
      'y',
      '--sns-topic',
      topicArn,
      '--yes',
    ]);
    expect((await rules()).map((r) => r.Name)).toEqual(['ecsops-events-other']);
    await ecs.send(new DeleteServiceCommand({ cluster: 'other', service: 'y', force: true }));
    const res = await runCli(['alarm', 'prune', '--yes']);
    expect(res.code).toBe(0);
    expect(await rules()).toEqual([]);
    const again = await runCli(['alarm', 'prune', '--yes']);
    expect(again.stderr).toContain('Nothing to do.');
  });
});

describe('alarm events rule under faults (built CLI through the fault proxy)', () => {
  beforeAll(seed);

  it('access denied on events:PutTargets: the rule is made, the target fails naming the action (exit 4); a re-run finishes with that write only', async () => {
    const proxy = await startFaultProxy({ target: motoEndpoint() });
    try {
      proxy.setRules([{ match: { operation: 'events:PutTargets' }, fault: { kind: 'access-denied' } }]);
      const args = [
        'alarm',
        'create',
        '--cluster',
        'prod',
        '--all-services',
        '--sns-topic',
        topicArn,
        '--yes',
      ];
      const res = await runCli(['--endpoint-url', proxy.endpoint, '--json', ...args]);
      expect(res.code).toBe(4);
      const doc = parseJsonDocument(res) as { changes: { kind: string; status: string; error?: string }[] };
      const targets = doc.changes.find((c) => c.kind === 'put-targets');
      expect(targets?.status).toBe('failed');
      expect(targets?.error).toContain('events:PutTargets');
      expect(doc.changes.find((c) => c.kind === 'create-rule')?.status).toBe('applied');
      expect((await rules()).map((r) => r.Name)).toEqual(['ecsops-events-prod']);

      proxy.clearRules();
      await startRecording();
      const again = await runCli(['--endpoint-url', proxy.endpoint, ...args]);
      const calls = await stopRecording();
      expect(again.code).toBe(0);
      expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual(['events:PutTargets']);
    } finally {
      await proxy.close();
    }
  });
});
