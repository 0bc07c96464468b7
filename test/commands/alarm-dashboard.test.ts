import { GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/commands/context.js';
import {
  type DashboardCreateOptions,
  runDashboardCreate as run,
} from '../../src/commands/dashboard-create.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { dashboardCreateView } from '../../src/output/dashboard.js';
import { present } from '../../src/output/present.js';
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

const opts = (over: Partial<DashboardCreateOptions> = {}): DashboardCreateOptions => ({
  clusters: ['prod'],
  force: false,
  dryRun: false,
  yes: true,
  ...over,
});
const runDashboardCreate = async (o: DashboardCreateOptions, ctx: CommandContext) =>
  present(ctx.out, await run(o, ctx), dashboardCreateView);
type Body = { widgets: Array<{ properties: { title: string; metrics: unknown[][] } }> };

describe('dashboard create', () => {
  it('apply: PutDashboard with one widget per cluster and a line per service', async () => {
    const t = createTestContext();
    expect(await runDashboardCreate(opts(), t.ctx)).toBe(ExitCode.ok);
    const input = cloudwatch.commandCalls(PutDashboardCommand)[0]?.args[0].input;
    expect(input?.DashboardName).toBe('ecsops-prod');
    const body = JSON.parse(input?.DashboardBody ?? '{}') as Body;
    // The cluster's graph, then the marker that says ecsops owns the dashboard.
    expect(body.widgets).toHaveLength(2);
    expect(body.widgets[0]?.properties.title).toBe('prod: running/desired tasks');
    // 3 services x (2 hidden metrics + 1 expression).
    expect(body.widgets[0]?.properties.metrics).toHaveLength(9);
    expect(t.stdout()).toContain('+ us-east-1 dashboard ecsops-prod: 2 widget(s), 3 service(s) in prod');
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

  it('a failing PutDashboard is reported as failed, naming the action, exit 3', async () => {
    cloudwatch
      .on(PutDashboardCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: {} }));
    const t = createTestContext({ global: { json: true } });
    expect(await runDashboardCreate(opts(), t.ctx)).toBe(ExitCode.aws);
    const doc = JSON.parse(t.stdout());
    expect(doc).toMatchObject({ status: 'failed', action: 'create' });
    expect(doc.error).toMatch(/cloudwatch:PutDashboard/);
  });

  it('a hand-made dashboard of the same name is not replaced without --force', async () => {
    cloudwatch.on(GetDashboardCommand, { DashboardName: 'ops' }).resolves({
      DashboardName: 'ops',
      DashboardBody: JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: 'mine' } }] }),
    });
    await expect(runDashboardCreate(opts({ name: 'ops' }), createTestContext().ctx)).rejects.toThrow(
      /not made by ecsops/,
    );
    expect(writeCount()).toBe(0);
    expect(await runDashboardCreate(opts({ name: 'ops', force: true }), createTestContext().ctx)).toBe(
      ExitCode.ok,
    );
    expect(cloudwatch.commandCalls(PutDashboardCommand)).toHaveLength(1);
  });

  it('an ecsops dashboard (marker widget) is updated without --force', async () => {
    await runDashboardCreate(opts({ name: 'ops' }), createTestContext().ctx);
    world.clusters.prod = { insights: 'enabled', services: { web: 2, api: 1, idle: 0, new: 1 } };
    cloudwatch.resetHistory();
    expect(await runDashboardCreate(opts({ name: 'ops' }), createTestContext().ctx)).toBe(ExitCode.ok);
    expect(cloudwatch.commandCalls(PutDashboardCommand)).toHaveLength(1);
  });

  it('Ctrl-C while reading (--yes): no PutDashboard is sent', async () => {
    const t = createTestContext();
    cloudwatch.on(GetDashboardCommand).callsFake(() => {
      t.abort.abort();
      throw Object.assign(new Error('nope'), { name: 'ResourceNotFound', $metadata: {} });
    });
    expect(await runDashboardCreate(opts(), t.ctx)).toBe(ExitCode.interrupted);
    expect(writeCount()).toBe(0);
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
