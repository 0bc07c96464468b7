import { DeleteAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAlarmCreate } from '../../src/commands/alarm-create.js';
import { type AlarmDeleteOptions, runAlarmDelete } from '../../src/commands/alarm-delete.js';
import { runAlarmList } from '../../src/commands/alarm-list.js';
import { runAlarmPrune } from '../../src/commands/alarm-prune.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';
import { alarmArn, cloudwatch, ecs, installWorld, sns, type World, writeCount } from './alarm-world.js';

let world: World;
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
  await runAlarmCreate(
    {
      clusters: ['prod', 'dev'],
      services: [],
      allServices: true,
      alarm: {},
      tags: [],
      includeZeroDesired: false,
      enableInsights: false,
      dryRun: false,
      yes: true,
    },
    createTestContext().ctx,
  );
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

const del = (over: Partial<AlarmDeleteOptions> = {}): AlarmDeleteOptions => ({
  clusters: [],
  services: [],
  names: [],
  dryRun: false,
  yes: true,
  ...over,
});

describe('alarm list', () => {
  it('shows managed alarms only, with state, reason and the service', async () => {
    const t = createTestContext();
    expect(await runAlarmList({ clusters: [] }, t.ctx)).toBe(ExitCode.ok);
    expect(t.stdout()).toMatch(
      /us-east-1\s+prod\s+web\s+ALARM\s+ecsops-task-health-prod-web\s+Threshold Crossed/,
    );
    expect(t.stdout()).toMatch(/us-east-1\s+dev\s+web\s+INSUFFICIENT_DATA/);
    expect(t.stdout()).not.toContain('manual');
  });

  it('--cluster filters; --json gives the same data', async () => {
    const t = createTestContext({ global: { json: true } });
    await runAlarmList({ clusters: ['prod'] }, t.ctx);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ schemaVersion: 1 });
    expect(
      doc.alarms.map(
        (a: { clusterName: string; serviceName: string; state: string }) =>
          `${a.clusterName}/${a.serviceName}:${a.state}`,
      ),
    ).toEqual(['prod/api:INSUFFICIENT_DATA', 'prod/web:ALARM']);
  });
});

describe('alarm delete', () => {
  it('apply: by cluster and service', async () => {
    const t = createTestContext();
    expect(await runAlarmDelete(del({ clusters: ['prod'], services: ['web'] }), t.ctx)).toBe(ExitCode.ok);
    expect(deletedNames()).toEqual(['ecsops-task-health-prod-web']);
    expect(t.stdout()).toContain('- us-east-1 ecsops-task-health-prod-web (prod/web)');
  });

  it('by cluster: all of its alarms in one DeleteAlarms call', async () => {
    await runAlarmDelete(del({ clusters: ['prod'] }), createTestContext().ctx);
    expect(cloudwatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([
      ['ecsops-task-health-prod-api', 'ecsops-task-health-prod-web'],
    ]);
  });

  it('by name', async () => {
    await runAlarmDelete(del({ names: ['ecsops-task-health-dev-web'] }), createTestContext().ctx);
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });

  it('refuses an alarm without the managed tag, and deletes nothing', async () => {
    const error = await runAlarmDelete(
      del({ names: ['ecsops-task-health-manual', 'ecsops-task-health-dev-web'] }),
      createTestContext().ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('not managed by ecsops');
    expect((error as Error).message).toContain('ecsops-task-health-manual');
    expect(writeCount()).toBe(0);
  });

  it('refuses an unmanaged alarm named outside the prefix too', async () => {
    world.alarms.set('someone-else', { AlarmName: 'someone-else', AlarmArn: alarmArn('someone-else') });
    await expect(runAlarmDelete(del({ names: ['someone-else'] }), createTestContext().ctx)).rejects.toThrow(
      /not managed by ecsops/,
    );
    expect(writeCount()).toBe(0);
  });

  it('an unknown name is an input error', async () => {
    await expect(runAlarmDelete(del({ names: ['nope'] }), createTestContext().ctx)).rejects.toThrow(
      InputError,
    );
  });

  it('--dry-run sends zero writes; declined deletes nothing; nothing to do says so', async () => {
    expect(
      await runAlarmDelete(del({ clusters: ['prod'], dryRun: true, yes: false }), createTestContext().ctx),
    ).toBe(ExitCode.ok);
    await expect(
      runAlarmDelete(
        del({ clusters: ['prod'], yes: false }),
        createTestContext({ interactive: true, answer: false }).ctx,
      ),
    ).rejects.toBeInstanceOf(InterruptedError);
    const t = createTestContext();
    expect(await runAlarmDelete(del({ clusters: ['nowhere'] }), t.ctx)).toBe(ExitCode.ok);
    expect(t.stderr()).toContain('Nothing to do.');
    expect(writeCount()).toBe(0);
  });

  it('--service without --cluster and no selection at all are usage errors', async () => {
    await expect(runAlarmDelete(del({ services: ['web'] }), createTestContext().ctx)).rejects.toThrow(
      UsageError,
    );
    await expect(runAlarmDelete(del(), createTestContext().ctx)).rejects.toThrow(UsageError);
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
    await runAlarmCreate(
      {
        clusters: ['big'],
        services: [],
        allServices: true,
        alarm: {},
        tags: [],
        includeZeroDesired: false,
        enableInsights: false,
        dryRun: false,
        yes: true,
      },
      createTestContext().ctx,
    );
    cloudwatch.resetHistory();
    cloudwatch
      .on(DeleteAlarmsCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalServiceError', $metadata: {} }));
    const t = createTestContext({ global: { json: true, concurrency: 1 } });
    expect(await runAlarmDelete(del({ clusters: ['big'] }), t.ctx)).toBe(ExitCode.partial);
    expect(
      cloudwatch.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length),
    ).toEqual([100, 100, 50]);
    const statuses = JSON.parse(t.stdout()).deletions.map((d: { status: string }) => d.status);
    expect(statuses.filter((s: string) => s === 'failed')).toHaveLength(100);
    expect(statuses.filter((s: string) => s === 'applied')).toHaveLength(150);
  });
});

describe('alarm prune', () => {
  it('deletes alarms whose service is gone or at desired 0, keeps the rest', async () => {
    world.clusters.prod = { insights: 'enabled', services: { web: 0 } };
    const t = createTestContext({ global: { json: true } });
    expect(await runAlarmPrune({ clusters: [], dryRun: false, yes: true }, t.ctx)).toBe(ExitCode.ok);
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
    await runAlarmPrune({ clusters: [], dryRun: false, yes: true }, createTestContext().ctx);
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });

  it('nothing to do, --dry-run and declined write nothing', async () => {
    const t = createTestContext();
    expect(await runAlarmPrune({ clusters: [], dryRun: false, yes: true }, t.ctx)).toBe(ExitCode.ok);
    expect(t.stderr()).toContain('Nothing to do.');
    delete world.clusters.dev;
    expect(await runAlarmPrune({ clusters: [], dryRun: true, yes: false }, createTestContext().ctx)).toBe(
      ExitCode.ok,
    );
    await expect(
      runAlarmPrune(
        { clusters: [], dryRun: false, yes: false },
        createTestContext({ interactive: true, answer: false }).ctx,
      ),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(writeCount()).toBe(0);
  });

  it('--cluster limits pruning to that cluster', async () => {
    delete world.clusters.dev;
    world.clusters.prod = { insights: 'enabled', services: {} };
    await runAlarmPrune({ clusters: ['dev'], dryRun: false, yes: true }, createTestContext().ctx);
    expect(deletedNames()).toEqual(['ecsops-task-health-dev-web']);
  });
});
