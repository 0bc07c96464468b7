import { PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDashboardCreate } from '../../src/commands/dashboard-create.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { createTestContext } from '../helpers/test-context.js';
import { cloudwatch, ecs, installWorld, sns, type World, writeCount } from './alarm-world.js';

let world: World;
beforeEach(() => {
  world = installWorld({
    clusters: { prod: { insights: 'enabled', services: { web: 2, api: 1, idle: 0 } } },
  });
});
afterEach(() => {
  ecs.reset();
  cloudwatch.reset();
  sns.reset();
});

const opts = (over = {}) => ({ clusters: ['prod'], dryRun: false, yes: true, ...over });
type Body = { widgets: Array<{ properties: { title: string; metrics: unknown[][] } }> };

describe('dashboard create', () => {
  it('apply: PutDashboard with one widget per cluster and a line per service', async () => {
    const t = createTestContext();
    expect(await runDashboardCreate(opts(), t.ctx)).toBe(ExitCode.ok);
    const input = cloudwatch.commandCalls(PutDashboardCommand)[0]?.args[0].input;
    expect(input?.DashboardName).toBe('ecsops-prod');
    const body = JSON.parse(input?.DashboardBody ?? '{}') as Body;
    expect(body.widgets).toHaveLength(1);
    expect(body.widgets[0]?.properties.title).toBe('prod: running/desired tasks');
    // 3 services x (2 hidden metrics + 1 expression).
    expect(body.widgets[0]?.properties.metrics).toHaveLength(9);
    expect(t.stdout()).toContain('+ us-east-1 dashboard ecsops-prod: 1 widget(s), 3 service(s) in prod');
  });

  it('nothing to do: a second run writes nothing', async () => {
    await runDashboardCreate(opts(), createTestContext().ctx);
    cloudwatch.resetHistory();
    const t = createTestContext();
    expect(await runDashboardCreate(opts(), t.ctx)).toBe(ExitCode.ok);
    expect(writeCount()).toBe(0);
    expect(t.stderr()).toContain('up to date');
  });

  it('updates when a service was added', async () => {
    await runDashboardCreate(opts({ name: 'ops' }), createTestContext().ctx);
    world.clusters.prod = { insights: 'enabled', services: { web: 2, api: 1, idle: 0, new: 1 } };
    cloudwatch.resetHistory();
    const t = createTestContext();
    await runDashboardCreate(opts({ name: 'ops' }), t.ctx);
    expect(cloudwatch.commandCalls(PutDashboardCommand)).toHaveLength(1);
    expect(t.stdout()).toContain('~ us-east-1 dashboard ops');
  });

  it('--dry-run and declined write nothing', async () => {
    expect(await runDashboardCreate(opts({ dryRun: true, yes: false }), createTestContext().ctx)).toBe(
      ExitCode.ok,
    );
    await expect(
      runDashboardCreate(opts({ yes: false }), createTestContext({ interactive: true, answer: false }).ctx),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(writeCount()).toBe(0);
  });

  it('a failing PutDashboard surfaces as an AWS error naming the action', async () => {
    cloudwatch
      .on(PutDashboardCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));
    await expect(runDashboardCreate(opts(), createTestContext().ctx)).rejects.toThrow(
      /cloudwatch:PutDashboard/,
    );
  });

  it('bad names and unknown clusters are refused before writing', async () => {
    await expect(runDashboardCreate(opts({ name: 'has space' }), createTestContext().ctx)).rejects.toThrow(
      UsageError,
    );
    await expect(runDashboardCreate(opts({ clusters: ['nope'] }), createTestContext().ctx)).rejects.toThrow(
      InputError,
    );
    expect(writeCount()).toBe(0);
  });
});
