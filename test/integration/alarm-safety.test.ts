/**
 * The safety contract of `alarm create|delete|prune` with the built CLI against moto, faults
 * injected by the loopback proxy: a failed prerequisite blocks its alarms, re-runs are no-ops and
 * never remove what the user did not ask to remove, Ctrl-C stops before the next write (with one
 * JSON document and exit 130), exit codes 3/4 when writes fail, and no listener leak on long runs.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planDistinctAlarmName } from '../../src/core/alarm/name.js';
import { parseJsonDocument, runCli, runCliInterrupted } from './helpers/cli.js';
import { type FaultProxy, type SeenRequest, startFaultProxy } from './helpers/fault-proxy.js';
import {
  callsMatching,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
const cloudwatch = new CloudWatchClient(motoClientConfig());
const sns = new SNSClient(motoClientConfig());
const WRITES = /^(cloudwatch:(PutMetricAlarm|TagResource|DeleteAlarms)|ecs:UpdateCluster)$/;
const PREFIX = 'ecsops-task-health';

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy({ target: motoEndpoint() });
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  await resetMoto();
  proxy.clearRules();
  proxy.clearRequests();
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    }),
  );
});

/** Creates a cluster (Container Insights on unless `insights: false`) with services at desired 1. */
async function cluster(name: string, services: readonly string[], insights = true): Promise<void> {
  await ecs.send(
    new CreateClusterCommand({
      clusterName: name,
      ...(insights ? { settings: [{ name: 'containerInsights', value: 'enabled' }] } : {}),
    }),
  );
  for (const serviceName of services) {
    await ecs.send(
      new CreateServiceCommand({ cluster: name, serviceName, taskDefinition: 'app', desiredCount: 1 }),
    );
  }
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const viaProxy = (args: readonly string[]) => runCli(['--endpoint-url', proxy.endpoint, ...args]);
const seen = (operation: string): SeenRequest[] => proxy.requests().filter((r) => r.operation === operation);

async function describeAlarm(name: string): Promise<MetricAlarm | undefined> {
  return (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
}
async function tagsOf(name: string) {
  const alarm = await describeAlarm(name);
  return (await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm?.AlarmArn }))).Tags;
}
const dimensionsOf = (alarm: MetricAlarm | undefined) =>
  alarm?.Metrics?.find((q) => q.Id === 'running')?.MetricStat?.Metric?.Dimensions;

interface Change {
  kind: string;
  clusterName: string;
  serviceName?: string;
  alarmName?: string;
  status: string;
  reason?: string;
  error?: string;
}

describe('alarm create --enable-insights when UpdateCluster fails (item 4)', () => {
  beforeEach(async () => {
    await cluster('off', ['web', 'api'], false);
    await cluster('on', ['web']);
  });

  it('access denied on ecs:UpdateCluster: no alarm for that cluster, they are skipped with the reason', async () => {
    proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'access-denied' } }]);
    const res = await viaProxy([
      '--json',
      'alarm',
      'create',
      '--cluster',
      'off,on',
      '--all-services',
      '--enable-insights',
      '--yes',
    ]);
    expect(res.code).toBe(4);
    const doc = parseJsonDocument(res) as { changes: Change[]; counts: Record<string, number> };
    expect(doc.changes.map((c) => `${c.kind} ${c.clusterName}/${c.serviceName ?? ''}: ${c.status}`)).toEqual([
      'enable-insights off/: failed',
      'create-alarm off/api: skipped',
      'create-alarm off/web: skipped',
      'create-alarm on/web: applied',
    ]);
    expect(doc.changes[0]?.error).toContain('ecs:UpdateCluster');
    expect(doc.changes[1]?.reason).toContain('Container Insights could not be turned on for cluster off');
    expect(doc.counts).toEqual({ applied: 1, failed: 1, notStarted: 0, skipped: 2 });
    expect(seen('cloudwatch:PutMetricAlarm').map((r) => r.body)).toEqual([
      expect.stringContaining(`${PREFIX}-on-web`),
    ]);
    expect(await describeAlarm(`${PREFIX}-off-web`)).toBeUndefined();
    expect(await describeAlarm(`${PREFIX}-off-api`)).toBeUndefined();
  });

  it('only that cluster: nothing applied, exit 3; the human report says why each alarm was skipped', async () => {
    proxy.setRules([{ match: { operation: 'ecs:UpdateCluster' }, fault: { kind: 'access-denied' } }]);
    const res = await viaProxy([
      'alarm',
      'create',
      '--cluster',
      'off',
      '--all-services',
      '--enable-insights',
      '--yes',
    ]);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(
      /skipped\s+us-east-1 ecsops-task-health-off-web: Container Insights could not be turned on/,
    );
    expect(seen('cloudwatch:PutMetricAlarm')).toEqual([]);
    // Once the permission is there, the same command finishes the job.
    proxy.clearRules();
    const again = await viaProxy([
      'alarm',
      'create',
      '--cluster',
      'off',
      '--all-services',
      '--enable-insights',
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect(await describeAlarm(`${PREFIX}-off-web`)).toBeDefined();
    const described = await ecs.send(
      new DescribeClustersCommand({ clusters: ['off'], include: ['SETTINGS'] }),
    );
    expect(described.clusters?.[0]?.settings).toContainEqual({ name: 'containerInsights', value: 'enabled' });
  });
});

describe('alarm create re-run and notification actions (item 12)', () => {
  let topicArn = '';
  beforeEach(async () => {
    await cluster('prod', ['web']);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn ?? '';
    const first = await runCli([
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--sns-topic',
      topicArn,
      '--yes',
    ]);
    expect(first.code).toBe(0);
  });

  it('without --sns-topic the existing actions are kept: nothing to do, zero writes', async () => {
    await startRecording();
    const res = await runCli(['alarm', 'create', '--cluster', 'prod', '--all-services', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('Nothing to do.');
    expect(res.stdout).not.toContain('AlarmActions');
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(await describeAlarm(`${PREFIX}-prod-web`)).toMatchObject({
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    });
  });

  it('--no-actions removes them (shown in the plan); a new alarm without a topic is warned about', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'api',
        taskDefinition: 'app',
        desiredCount: 1,
      }),
    );
    const dry = await runCli([
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--no-actions',
      '--dry-run',
    ]);
    expect(dry.stdout).toContain(`    AlarmActions: ["${topicArn}"] -> []`);
    expect(dry.stderr).toContain('warning: 1 new alarm(s) have no actions');

    const res = await runCli([
      '--json',
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--no-actions',
      '--yes',
    ]);
    expect(res.code).toBe(0);
    const doc = parseJsonDocument(res) as { warnings: string[] };
    expect(doc.warnings).toEqual([expect.stringContaining('1 new alarm(s) have no actions')]);
    expect(res.stderr).toContain('1 new alarm(s) have no actions');
    expect(await describeAlarm(`${PREFIX}-prod-web`)).toMatchObject({ AlarmActions: [], OKActions: [] });
  });
});

describe('alarm delete run twice (item 13), --dry-run and re-runs of delete and prune', () => {
  beforeEach(async () => {
    await cluster('prod', ['web', 'api']);
    expect((await runCli(['alarm', 'create', '--cluster', 'prod', '--all-services', '--yes'])).code).toBe(0);
  });

  it('delete --name X twice: the second run is a no-op, exit 0, with a warning and nothing to delete', async () => {
    const name = `${PREFIX}-prod-web`;
    await startRecording();
    const dry = await runCli(['alarm', 'delete', '--name', name, '--dry-run']);
    const dryCalls = await stopRecording();
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`- us-east-1 ${name} (prod/web): named`);
    expect(callsMatching(dryCalls, WRITES)).toEqual([]);

    const first = await runCli(['alarm', 'delete', '--name', name, '--yes']);
    expect(first.code).toBe(0);
    expect(await describeAlarm(name)).toBeUndefined();

    await startRecording();
    const second = await runCli(['--json', 'alarm', 'delete', '--name', name, '--yes']);
    const calls = await stopRecording();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`warning: Alarm not found: ${name}`);
    expect(second.stderr).toContain('nothing to delete');
    expect(parseJsonDocument(second)).toMatchObject({
      deletions: [],
      warnings: [expect.stringContaining(`Alarm not found: ${name}`)],
    });
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(await describeAlarm(`${PREFIX}-prod-api`)).toBeDefined();
  });

  it('delete by cluster: --dry-run sends no DeleteAlarms; a second run writes nothing', async () => {
    await startRecording();
    const dry = await runCli(['alarm', 'delete', '--cluster', 'prod', '--dry-run']);
    const first = await runCli(['alarm', 'delete', '--cluster', 'prod', '--yes']);
    const calls = await stopRecording();
    expect(dry.code).toBe(0);
    expect(first.code).toBe(0);
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual(['cloudwatch:DeleteAlarms']);
    await startRecording();
    const second = await runCli(['alarm', 'delete', '--cluster', 'prod', '--yes']);
    expect(callsMatching(await stopRecording(), WRITES)).toEqual([]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('Plan: nothing to delete.');
  });

  it('prune: --dry-run sends no DeleteAlarms; a second prune writes nothing', async () => {
    await ecs.send(new DeleteServiceCommand({ cluster: 'prod', service: 'api', force: true }));
    await startRecording();
    const dry = await runCli(['alarm', 'prune', '--dry-run']);
    const dryCalls = await stopRecording();
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`- us-east-1 ${PREFIX}-prod-api (prod/api): service no longer exists`);
    expect(callsMatching(dryCalls, WRITES)).toEqual([]);
    expect(await describeAlarm(`${PREFIX}-prod-api`)).toBeDefined();

    expect((await runCli(['alarm', 'prune', '--yes'])).code).toBe(0);
    expect(await describeAlarm(`${PREFIX}-prod-api`)).toBeUndefined();
    await startRecording();
    const again = await runCli(['alarm', 'prune', '--yes']);
    expect(callsMatching(await stopRecording(), WRITES)).toEqual([]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to do.');
    expect(await describeAlarm(`${PREFIX}-prod-web`)).toBeDefined();
  });
});

describe('services whose names make the same alarm name, in separate runs (item 14)', () => {
  const usual = `${PREFIX}-a-b-c`;
  const distinct = planDistinctAlarmName(PREFIX, { clusterName: 'a', serviceName: 'b-c' });
  beforeEach(async () => {
    await cluster('a-b', ['c']);
    await cluster('a', ['b-c']);
  });

  it('the second run gets a distinct name, says so, and leaves the first alarm as it was', async () => {
    expect((await runCli(['alarm', 'create', '--cluster', 'a-b', '--all-services', '--yes'])).code).toBe(0);
    const before = await describeAlarm(usual);
    expect(dimensionsOf(before)).toContainEqual({ Name: 'ClusterName', Value: 'a-b' });

    await startRecording();
    const dry = await runCli(['alarm', 'create', '--cluster', 'a', '--all-services', '--dry-run']);
    expect(callsMatching(await stopRecording(), WRITES)).toEqual([]);
    expect(dry.stdout).toContain(`+ us-east-1 ${distinct} (a/b-c)`);
    expect(dry.stderr).toContain(`note: us-east-1 a/b-c: alarm name ${usual} belongs to a-b/c`);

    await startRecording();
    const res = await runCli(['--json', 'alarm', 'create', '--cluster', 'a', '--all-services', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(parseJsonDocument(res)).toMatchObject({
      changes: [{ kind: 'create-alarm', alarmName: distinct, status: 'applied' }],
      renamed: [
        { clusterName: 'a', serviceName: 'b-c', alarmName: distinct, takenName: usual, takenBy: 'a-b/c' },
      ],
    });
    expect(callsMatching(calls, WRITES).map((c) => c.operation)).toEqual(['cloudwatch:PutMetricAlarm']);
    const after = await describeAlarm(usual);
    expect(dimensionsOf(after)).toEqual(dimensionsOf(before));
    expect(after?.AlarmDescription).toBe(before?.AlarmDescription);
    expect(await tagsOf(usual)).toContainEqual({ Key: 'ecsops:cluster', Value: 'a-b' });
    expect(dimensionsOf(await describeAlarm(distinct))).toContainEqual({ Name: 'ClusterName', Value: 'a' });
    expect(await tagsOf(distinct)).toContainEqual({ Key: 'ecsops:service', Value: 'b-c' });

    // Both again, together: each finds its own alarm, nothing is written.
    await startRecording();
    const both = await runCli(['alarm', 'create', '--cluster', 'a,a-b', '--all-services', '--yes']);
    expect(callsMatching(await stopRecording(), WRITES)).toEqual([]);
    expect(both.code).toBe(0);
    expect(both.stderr).toContain('Nothing to do.');
  });
});

describe('exit codes when writes fail (item 24)', () => {
  beforeEach(async () => {
    await cluster('prod', ['web', 'api', 'worker']);
  });

  it('every PutMetricAlarm denied: exit 3 with 0 applied', async () => {
    proxy.setRules([{ match: { operation: 'cloudwatch:PutMetricAlarm' }, fault: { kind: 'access-denied' } }]);
    const res = await viaProxy(['--json', 'alarm', 'create', '--cluster', 'prod', '--all-services', '--yes']);
    expect(res.code).toBe(3);
    expect(parseJsonDocument(res)).toMatchObject({ counts: { applied: 0, failed: 3 } });
  });

  it('one denied, the others applied: exit 4; a re-run finishes', async () => {
    proxy.setRules([
      {
        match: { operation: 'cloudwatch:PutMetricAlarm', bodyIncludes: `${PREFIX}-prod-api` },
        fault: { kind: 'access-denied' },
      },
    ]);
    const res = await viaProxy(['--json', 'alarm', 'create', '--cluster', 'prod', '--all-services', '--yes']);
    expect(res.code).toBe(4);
    const doc = parseJsonDocument(res) as { changes: Change[] };
    expect(doc.changes.map((c) => `${c.serviceName}:${c.status}`)).toEqual([
      'api:failed',
      'web:applied',
      'worker:applied',
    ]);
    proxy.clearRules();
    const again = await viaProxy([
      '--json',
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect((parseJsonDocument(again) as { changes: Change[] }).changes.map((c) => c.serviceName)).toEqual([
      'api',
    ]);
  });
});

describe('Ctrl-C (item 28)', () => {
  it('during alarm delete tag reads: exit 130, exactly one JSON document, nothing deleted', async () => {
    await cluster('prod', names('s', 6));
    expect((await runCli(['alarm', 'create', '--cluster', 'prod', '--all-services', '--yes'])).code).toBe(0);
    proxy.setRules([
      { match: { operation: 'cloudwatch:ListTagsForResource' }, fault: { kind: 'latency', ms: 600 } },
    ]);
    const res = await runCliInterrupted(
      ['--json', '--concurrency', '2', 'alarm', 'delete', '--cluster', 'prod', '--yes'],
      {
        endpoint: proxy.endpoint,
        when: () => seen('cloudwatch:ListTagsForResource').length > 0,
        delayMs: 150,
      },
    );
    expect(res.code).toBe(130);
    const doc = parseJsonDocument(res);
    expect(doc).toMatchObject({
      command: 'alarm delete',
      error: { exitCode: 130, type: 'InterruptedError' },
    });
    expect(doc).not.toHaveProperty('deletions');
    // Two reads were in flight; the other four never started.
    expect(seen('cloudwatch:ListTagsForResource').length).toBeLessThan(6);
    expect(seen('cloudwatch:DeleteAlarms')).toEqual([]);
    const left = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-prod-` }));
    expect(left.MetricAlarms).toHaveLength(6);
  });

  it('during alarm create --yes writes: exit 130, the JSON lists applied and not started, no PutMetricAlarm after the signal', async () => {
    await cluster('prod', names('s', 6));
    proxy.setRules([
      { match: { operation: 'cloudwatch:PutMetricAlarm' }, fault: { kind: 'latency', ms: 400 } },
    ]);
    // The writes are paced at 3 a second: interrupt just after the second, well before the third.
    const res = await runCliInterrupted(
      ['--json', 'alarm', 'create', '--cluster', 'prod', '--all-services', '--yes'],
      { endpoint: proxy.endpoint, when: () => seen('cloudwatch:PutMetricAlarm').length >= 2, delayMs: 30 },
    );
    expect(res.code).toBe(130);
    const doc = parseJsonDocument(res) as {
      changes: Change[];
      counts: Record<string, number>;
      interrupted: boolean;
    };
    expect(doc.interrupted).toBe(true);
    const puts = seen('cloudwatch:PutMetricAlarm');
    expect(puts.filter((r) => r.at >= res.signalledAt)).toEqual([]);
    expect(doc.counts.applied).toBe(puts.length);
    expect(doc.counts.notStarted).toBe(6 - puts.length);
    expect(doc.counts.notStarted).toBeGreaterThan(0);
    expect(doc.counts.failed).toBe(0);
    expect(new Set(doc.changes.map((c) => c.status))).toEqual(new Set(['applied', 'not-started']));
    const made = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-prod-` }));
    expect(made.MetricAlarms?.map((a) => a.AlarmName).sort()).toEqual(
      doc.changes
        .filter((c) => c.status === 'applied')
        .map((c) => c.alarmName)
        .sort(),
    );
  });
});

describe('long paced runs (item 27)', () => {
  it('30 alarms paced through the real sleep: no MaxListenersExceededWarning, all written', async () => {
    await cluster('big', names('svc-', 30));
    const res = await runCli(['alarm', 'create', '--cluster', 'big', '--all-services', '--yes']);
    expect(res.stderr).not.toContain('MaxListenersExceededWarning');
    expect(res.stderr).not.toMatch(/memory leak/i);
    expect(res.code).toBe(0);
    const made = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-big-` }));
    expect(made.MetricAlarms).toHaveLength(30);
  }, 60_000);
});
