import {
  DeleteAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AlarmCreateOptions, runAlarmCreate } from '../../src/commands/alarm-create.js';
import {
  type AlarmDeleteOptions,
  type AlarmDeleteResult,
  runAlarmDelete,
} from '../../src/commands/alarm-delete.js';
import { type AlarmListOptions, runAlarmList } from '../../src/commands/alarm-list.js';
import { type AlarmPruneOptions, runAlarmPrune } from '../../src/commands/alarm-prune.js';
import type { AlarmSelection } from '../../src/core/alarm/plan.js';
import { ExitCode, InterruptedError, UsageError } from '../../src/errors.js';
import { alarmDeleteView, alarmListView } from '../../src/output/alarm.js';
import { present } from '../../src/output/present.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { alarmArn, cloudwatch, ecs, installWorld, sns, type World, writeCount } from './alarm-world.js';

let world: World;
const createOptions = (clusters: AlarmCreateOptions['clusters']): AlarmCreateOptions => ({
  clusters,
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
});
const deletedNames = () =>
  cloudwatch.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);

/** Creates the managed alarms for prod/web, prod/api and dev/web through the real create command. */
async function seedAlarms() {
  world = installWorld({
    clusters: {
      prod: { insights: 'enabled', services: { web: 2, api: 1 } },
      dev: { insights: 'enabled', services: { web: 1 } },
    },
  });
  await runAlarmCreate(createOptions(['prod', 'dev']), createTestContext().ctx);
  // An alarm under the prefix that ecsops did not create.
  const manual = 'ecsops-task-health-manual';
  world.alarms.set(manual, {
    AlarmName: manual,
    AlarmArn: alarmArn(manual),
    StateValue: 'ALARM',
    MetricName: 'X',
    Namespace: 'N',
  } as MetricAlarm);
  world.alarms.set('ecsops-task-health-prod-web', {
    ...world.alarms.get('ecsops-task-health-prod-web'),
    StateValue: 'ALARM',
    StateReason: 'Threshold Crossed: 2 out of the last 3 datapoints',
  });
  cloudwatch.resetHistory();
  ecs.resetHistory();
}

beforeEach(seedAlarms);
afterEach(() => {
  ecs.reset();
  cloudwatch.reset();
  sns.reset();
});

const byName = (...names: string[]): AlarmSelection => ({ kind: 'names', names });
const byService = (clusters: string[], services: string[] = []): AlarmSelection => ({
  kind: 'services',
  clusters,
  services,
});

/** `alarm delete` through its view, as the CLI runs it. */
async function del(
  selection: AlarmSelection,
  over: Partial<AlarmDeleteOptions> = {},
  t: TestContext = createTestContext(),
): Promise<AlarmDeleteResult> {
  const result = await runAlarmDelete({ selection, dryRun: false, yes: true, ...over }, t.ctx);
  present(t.ctx.out, result, alarmDeleteView);
  return result;
}

async function prune(
  over: Partial<AlarmPruneOptions> = {},
  t: TestContext = createTestContext(),
): Promise<AlarmDeleteResult> {
  const result = await runAlarmPrune({ clusters: [], dryRun: false, yes: true, ...over }, t.ctx);
  present(t.ctx.out, result, alarmDeleteView);
  return result;
}

async function list(options: AlarmListOptions, t: TestContext) {
  const result = await runAlarmList(options, t.ctx);
  return present(t.ctx.out, result, alarmListView);
}

describe('alarm list', () => {
  it('shows managed alarms only, with state, reason and the service', async () => {
    const t = createTestContext();
    expect(await list({ clusters: [] }, t)).toBe(ExitCode.ok);
    expect(t.stdout()).toMatch(
      /us-east-1\s+prod\s+web\s+ALARM\s+ecsops-task-health-prod-web\s+Threshold Crossed/,
    );
    expect(t.stdout()).toMatch(/us-east-1\s+dev\s+web\s+INSUFFICIENT_DATA/);
    expect(t.stdout()).not.toContain('manual');
  });

  it('--cluster filters; --json gives the same data', async () => {
    const t = createTestContext({ global: { json: true } });
    const result = await runAlarmList({ clusters: ['prod'] }, t.ctx);
    present(t.ctx.out, result, alarmListView);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1, errors: [] });
    expect(
      doc.alarms.map(
        (a: { clusterName: string; serviceName: string; state: string }) =>
          `${a.clusterName}/${a.serviceName}:${a.state}`,
      ),
    ).toEqual(['prod/api:INSUFFICIENT_DATA', 'prod/web:ALARM']);
    expect(doc.alarms).toEqual(result.alarms);
  });
});

describe('alarm delete', () => {
  it('apply: by cluster and service', async () => {
    const t = createTestContext();
    const result = await del(byService(['prod'], ['web']), {}, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.apply.counts.applied).toBe(1);
    expect(deletedNames()).toEqual(['ecsops-task-health-prod-web']);
    expect(t.stdout()).toContain('- us-east-1 ecsops-task-health-prod-web (prod/web)');
    expect(t.stdout()).toContain('deleted  us-east-1 ecsops-task-health-prod-web');
  });

  it('by cluster: all of its alarms in one DeleteAlarms call', async () => {
    await del(byService(['prod']));
    expect(cloudwatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([
      ['ecsops-task-health-prod-api', 'ecsops-task-health-prod-web'],
    ]);
  });

  it('by name', async () => {
    await del(byName('ecsops-task-health-dev-web'));
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });

  it('refuses an alarm without the managed tag, and deletes nothing', async () => {
    const error = await del(byName('ecsops-task-health-manual', 'ecsops-task-health-dev-web')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('not managed by ecsops');
    expect((error as Error).message).toContain('ecsops-task-health-manual');
    expect(writeCount()).toBe(0);
  });

  it('refuses an unmanaged alarm named outside the prefix too', async () => {
    world.alarms.set('someone-else', { AlarmName: 'someone-else', AlarmArn: alarmArn('someone-else') });
    await expect(del(byName('someone-else'))).rejects.toThrow(/not managed by ecsops/);
    expect(writeCount()).toBe(0);
  });

  it('run twice by name: the second run is a no-op with exit 0, and says the alarm is not there', async () => {
    const name = 'ecsops-task-health-dev-web';
    expect((await del(byName(name))).exitCode).toBe(ExitCode.ok);
    cloudwatch.resetHistory();
    const t = createTestContext({ global: { json: true } });
    const again = await del(byName(name), {}, t);
    expect(again.exitCode).toBe(ExitCode.ok);
    expect(again.apply.mode).toBe('nothing-to-do');
    expect(writeCount()).toBe(0);
    expect(again.warnings).toEqual([expect.stringContaining(`Alarm not found: ${name}`)]);
    expect(t.stderr()).toContain(`warning: Alarm not found: ${name}`);
    expect(JSON.parse(t.stdout())).toMatchObject({ deletions: [], warnings: again.warnings });
  });

  it('an unknown name is a warning, not an error; the names that exist are still deleted', async () => {
    const t = createTestContext();
    const result = await del(byName('nope', 'ecsops-task-health-dev-web'), {}, t);
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
    expect(t.stderr()).toContain('Alarm not found: nope');
  });

  it('--dry-run sends zero writes; declined deletes nothing; nothing to do says so', async () => {
    expect((await del(byService(['prod']), { dryRun: true, yes: false })).apply.mode).toBe('dry-run');
    await expect(
      del(byService(['prod']), { yes: false }, createTestContext({ interactive: true, answer: false })),
    ).rejects.toBeInstanceOf(InterruptedError);
    const t = createTestContext();
    expect((await del(byService(['nowhere']), {}, t)).exitCode).toBe(ExitCode.ok);
    expect(t.stderr()).toContain('Nothing to do.');
    expect(t.stderr()).toContain('Plan: nothing to delete.');
    expect(writeCount()).toBe(0);
  });

  it('250 alarms: DeleteAlarms in batches of 100; a failed batch fails exactly its names (exit 4)', async () => {
    world = installWorld({
      clusters: {
        big: {
          insights: 'enabled',
          services: Object.fromEntries(
            Array.from({ length: 250 }, (_, i) => [`s${String(i).padStart(3, '0')}`, 1]),
          ),
        },
      },
    });
    await runAlarmCreate(createOptions(['big']), createTestContext().ctx);
    cloudwatch.resetHistory();
    cloudwatch
      .on(DeleteAlarmsCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalServiceError', $metadata: {} }));
    const t = createTestContext({ global: { json: true, concurrency: 1 } });
    expect((await del(byService(['big']), {}, t)).exitCode).toBe(ExitCode.partial);
    expect(
      cloudwatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length),
    ).toEqual([100, 100, 50]);
    const doc = JSON.parse(t.stdout());
    const statuses = doc.deletions.map((d: { status: string }) => d.status);
    expect(statuses.filter((s: string) => s === 'failed')).toHaveLength(100);
    expect(statuses.filter((s: string) => s === 'applied')).toHaveLength(150);
    expect(doc.deletions[0]).toMatchObject({
      reason: 'selected by cluster/service',
      error: expect.any(String),
    });
  });

  it('every DeleteAlarms failing: exit 3 with 0 deleted', async () => {
    cloudwatch
      .on(DeleteAlarmsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));
    const result = await del(byService(['prod']));
    expect(result.exitCode).toBe(ExitCode.aws);
    expect(result.apply.counts).toMatchObject({ applied: 0, failed: 2 });
  });

  it('Ctrl-C during the tag reads: no plan from partial reads, nothing deleted', async () => {
    const t = createTestContext({ global: { concurrency: 1 } });
    cloudwatch.on(ListTagsForResourceCommand).callsFake((input: { ResourceARN: string }) => {
      t.abort.abort();
      return { Tags: world.tags.get(input.ResourceARN) ?? [] };
    });
    await expect(del(byService(['prod']), {}, t)).rejects.toBeInstanceOf(InterruptedError);
    expect(writeCount()).toBe(0);
  });

  it('Ctrl-C while a DeleteAlarms call waits for its pacing slot: it is not sent, its names are not started', async () => {
    world = installWorld({
      clusters: {
        big: {
          insights: 'enabled',
          services: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`s${i}`, 1])),
        },
      },
    });
    await runAlarmCreate(createOptions(['big']), createTestContext().ctx);
    cloudwatch.resetHistory();
    const t = createTestContext();
    // Two batches (100 + 50) in one region share a pacer: the second waits, here until Ctrl-C,
    // which arrives while the first call is answered.
    t.ctx.sleep = () =>
      new Promise((resolve) => t.abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    cloudwatch.on(DeleteAlarmsCommand).callsFake(() => {
      t.abort.abort();
      return {};
    });
    const result = await del(byService(['big']), {}, t);
    expect(cloudwatch.commandCalls(DeleteAlarmsCommand)).toHaveLength(1);
    expect(result.exitCode).toBe(ExitCode.interrupted);
    expect(result.apply.counts).toEqual({ applied: 100, failed: 0, notStarted: 50, skipped: 0 });
  });
});

describe('alarm prune', () => {
  it('deletes alarms whose service is gone or at desired 0, keeps the rest', async () => {
    world.clusters.prod = { insights: 'enabled', services: { web: 0 } };
    const t = createTestContext({ global: { json: true } });
    expect((await prune({}, t)).exitCode).toBe(ExitCode.ok);
    const doc = JSON.parse(t.stdout());
    expect(
      doc.deletions.map((d: { alarmName: string; reason: string }) => `${d.alarmName}: ${d.reason}`),
    ).toEqual([
      'ecsops-task-health-prod-api: service no longer exists',
      'ecsops-task-health-prod-web: service desired count is 0',
    ]);
    expect(deletedNames()).toEqual(['ecsops-task-health-prod-api', 'ecsops-task-health-prod-web']);
    // Only the services the alarms watch are described, never the unmanaged alarm's.
    expect(
      ecs
        .commandCalls(DescribeServicesCommand)
        .map((c) => c.args[0].input.cluster)
        .sort(),
    ).toEqual(['dev', 'prod']);
  });

  it('a deleted cluster prunes all of its alarms', async () => {
    delete world.clusters.dev;
    await prune();
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });

  it('nothing to do, --dry-run and declined write nothing; a second prune writes nothing', async () => {
    const t = createTestContext();
    expect((await prune({}, t)).exitCode).toBe(ExitCode.ok);
    expect(t.stderr()).toContain('Nothing to do.');
    delete world.clusters.dev;
    expect((await prune({ dryRun: true, yes: false })).apply.mode).toBe('dry-run');
    await expect(
      prune({ yes: false }, createTestContext({ interactive: true, answer: false })),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(writeCount()).toBe(0);
    expect((await prune()).apply.counts.applied).toBe(1);
    cloudwatch.resetHistory();
    expect((await prune()).apply.mode).toBe('nothing-to-do');
    expect(writeCount()).toBe(0);
  });

  it('--cluster limits pruning to that cluster', async () => {
    delete world.clusters.dev;
    world.clusters.prod = { insights: 'enabled', services: {} };
    await prune({ clusters: ['dev'] });
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });
});
