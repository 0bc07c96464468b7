import { readFileSync } from 'node:fs';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { DescribeSavingsPlansOfferingRatesCommand, SavingsplansClient } from '@aws-sdk/client-savingsplans';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCostReport } from '../../src/commands/cost-report.js';
import { runCostRightsize } from '../../src/commands/cost-rightsize.js';
import { ExitCode } from '../../src/errors.js';
import { costReportView, costRightsizeView } from '../../src/output/cost.js';
import { present } from '../../src/output/present.js';
import { createTestContext } from '../helpers/test-context.js';

const ecs = mockClient(ECSClient);
const pricing = mockClient(PricingClient);
const savingsplans = mockClient(SavingsplansClient);
const cloudwatch = mockClient(CloudWatchClient);
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/cost/get-products-us-east-1.json', import.meta.url), 'utf8'),
) as { pages: string[][] };

const ACCT = '123456789012';
const clusterArn = `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod`;
const tdArn = (f: string) => `arn:aws:ecs:us-east-1:${ACCT}:task-definition/${f}:1`;
type Svc = Record<string, unknown> & { serviceName: string };

function seedEcs(services: Svc[], taskDefinitions: Record<string, Record<string, unknown>>) {
  ecs.on(ListClustersCommand).resolves({ clusterArns: [clusterArn] });
  ecs
    .on(DescribeClustersCommand)
    .resolves({ clusters: [{ clusterArn, clusterName: 'prod', status: 'ACTIVE' }] });
  ecs.on(ListServicesCommand).resolves({
    serviceArns: services.map((s) => `arn:aws:ecs:us-east-1:${ACCT}:service/prod/${s.serviceName}`),
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: services
      .filter((s) => input.services.some((a) => a.endsWith(`/${s.serviceName}`)))
      .map((s) => ({
        serviceArn: `arn:aws:ecs:us-east-1:${ACCT}:service/prod/${s.serviceName}`,
        clusterArn,
        status: 'ACTIVE',
        runningCount: 0,
        schedulingStrategy: 'REPLICA',
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
        ...s,
      })),
  }));
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: taskDefinitions[input.taskDefinition],
  }));
}

const fargateTd = (family: string, over: Record<string, unknown> = {}) => ({
  taskDefinitionArn: tdArn(family),
  family,
  revision: 1,
  requiresCompatibilities: ['FARGATE'],
  cpu: '1024',
  memory: '2048',
  containerDefinitions: [{ name: 'app', image: 'nginx', memoryReservation: 256 }],
  ...over,
});

function seedPriceApis() {
  pricing
    .on(GetProductsCommand)
    .callsFake((input: { NextToken?: string }) =>
      input.NextToken === 'page2'
        ? { FormatVersion: 'aws_v1', PriceList: fixture.pages[1] }
        : { FormatVersion: 'aws_v1', PriceList: fixture.pages[0], NextToken: 'page2' },
    );
  savingsplans.on(DescribeSavingsPlansOfferingRatesCommand).resolves({
    searchResults: [
      {
        usageType: 'USE1-Fargate-vCPU-Hours:perCPU',
        rate: '0.0323',
        unit: 'Hrs',
        savingsPlanOffering: { durationSeconds: 31536000, paymentOption: 'No Upfront', planType: 'Compute' },
      },
      {
        usageType: 'USE1-Fargate-GB-Hours',
        rate: '0.00355',
        unit: 'Hrs',
        savingsPlanOffering: { durationSeconds: 31536000, paymentOption: 'No Upfront', planType: 'Compute' },
      },
    ],
  });
}

beforeEach(() => {
  for (const m of [ecs, pricing, savingsplans, cloudwatch]) m.reset();
});
afterEach(() => {
  for (const m of [ecs, pricing, savingsplans, cloudwatch]) m.reset();
});

describe('cost report', () => {
  it('prices live: capacity-provider split, each task definition revision read once, rates in the JSON', async () => {
    seedEcs(
      [
        {
          serviceName: 'api',
          desiredCount: 5,
          taskDefinition: tdArn('api'),
          capacityProviderStrategy: [
            { capacityProvider: 'FARGATE', base: 1, weight: 1 },
            { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 },
          ],
        },
        { serviceName: 'worker', desiredCount: 2, taskDefinition: tdArn('api'), launchType: 'FARGATE' },
        { serviceName: 'legacy', desiredCount: 2, taskDefinition: tdArn('legacy'), launchType: 'EC2' },
      ],
      {
        [tdArn('api')]: fargateTd('api'),
        [tdArn('legacy')]: {
          ...fargateTd('legacy'),
          requiresCompatibilities: ['EC2'],
          cpu: undefined,
          memory: undefined,
          containerDefinitions: [{ name: 'a', cpu: 512, memory: 1024 }],
        },
      },
    );
    seedPriceApis();
    const t = createTestContext({ global: { json: true } });
    const result = await runCostReport(
      { clusters: [], includeTasks: false, prices: { kind: 'live' } },
      t.ctx,
    );
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(2);
    expect(pricing.commandCalls(GetProductsCommand)[0]?.args[0].input).toMatchObject({
      ServiceCode: 'AmazonECS',
      Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }],
    });
    const api = result.rows.find((r) => r.name === 'api')!;
    expect(api.launch).toMatchObject({ kind: 'fargate', onDemand: 2, spot: 3 });
    const od = 0.04048 + 2 * 0.004445;
    // No Spot rate in the Price List answer: the Spot part (and so "current") is unknown, never guessed.
    expect(api.monthly?.current).toBeNull();
    expect(api.unknown.current).toEqual(['spot.linux/x86_64.vcpuHour', 'spot.linux/x86_64.gbHour']);
    expect(api.monthly?.onDemand).toBeCloseTo(5 * od * 730, 6);
    const worker = result.rows.find((r) => r.name === 'worker')!;
    expect(worker.monthly?.current).toBeCloseTo(2 * od * 730, 6);
    expect(worker.monthly?.savingsPlan1y).toBeCloseTo(2 * (0.0323 + 2 * 0.00355) * 730, 6);
    expect(worker.monthly?.arm64).toBeCloseTo(2 * (0.03238 + 2 * 0.00356) * 730, 6);
    const legacy = result.rows.find((r) => r.name === 'legacy')!;
    expect(legacy).toMatchObject({
      cpu: 512,
      memory: 1024,
      monthly: null,
      notPriced: 'on EC2 instances: not a Fargate cost',
    });

    present(t.ctx.out, result, costReportView);
    const doc = JSON.parse(t.stdout());
    expect(doc.prices[0]).toMatchObject({
      region: 'us-east-1',
      source: 'price-list-api',
      asOf: expect.any(String),
    });
    expect(doc.prices[0].rates.onDemand['linux/x86_64']).toEqual({ vcpuHour: 0.04048, gbHour: 0.004445 });
    expect(doc.totals.overall.current).toEqual({ usd: 72.08, rows: 2, unknownRows: 1 });
  });

  it('falls back to the bundled table when pricing:GetProducts is denied, and says so', async () => {
    seedEcs(
      [{ serviceName: 'worker', desiredCount: 2, taskDefinition: tdArn('api'), launchType: 'FARGATE' }],
      {
        [tdArn('api')]: fargateTd('api'),
      },
    );
    pricing
      .on(GetProductsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    const t = createTestContext();
    const result = await runCostReport(
      { clusters: [], includeTasks: false, prices: { kind: 'live' } },
      t.ctx,
    );
    expect(result.prices[0]).toMatchObject({ kind: 'bundled', asOf: '2026-06-17' });
    expect(result.prices[0]?.fallbackReason).toMatch(/pricing:GetProducts/);
    expect(savingsplans.commandCalls(DescribeSavingsPlansOfferingRatesCommand)).toHaveLength(0);
    expect(t.stderr()).toMatch(/using the bundled price table/);
    present(t.ctx.out, result, costReportView);
    expect(t.stdout()).toMatch(/BUNDLED price table as of 2026-06-17/);
    expect(t.stdout()).toMatch(/730 hours a month/);
  });

  it('--bundled-prices and --prices-file call no price API', async () => {
    seedEcs(
      [{ serviceName: 'worker', desiredCount: 1, taskDefinition: tdArn('api'), launchType: 'FARGATE' }],
      {
        [tdArn('api')]: fargateTd('api'),
      },
    );
    const t = createTestContext();
    const bundled = await runCostReport(
      { clusters: [], includeTasks: false, prices: { kind: 'bundled' } },
      t.ctx,
    );
    expect(bundled.rows[0]?.monthly?.current).toBeCloseTo((0.04048 + 2 * 0.004445) * 730, 6);
    const file = new URL('../fixtures/cost/prices-file.json', import.meta.url);
    const fromFile = await runCostReport(
      { clusters: [], includeTasks: false, prices: { kind: 'file', path: file.pathname } },
      t.ctx,
    );
    expect(fromFile.prices[0]).toMatchObject({ kind: 'file', asOf: '2026-01-15' });
    expect(fromFile.rows[0]?.monthly?.allSpot).toBeCloseTo((0.0125 + 2 * 0.0014) * 730, 6);
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(0);
  });
});

describe('cost report --include-tasks', () => {
  it('groups RUNNING standalone tasks by group and revision, skips service tasks, splits by capacity provider', async () => {
    seedEcs([], { [tdArn('batch')]: fargateTd('batch', { cpu: '512', memory: '1024' }) });
    const task = (n: number, group: string, capacityProviderName?: string) => ({
      taskArn: `arn:aws:ecs:us-east-1:${ACCT}:task/prod/t${n}`,
      group,
      taskDefinitionArn: tdArn('batch'),
      launchType: 'FARGATE' as const,
      capacityProviderName,
    });
    const tasks = [
      task(1, 'family:batch', 'FARGATE'),
      task(2, 'family:batch', 'FARGATE_SPOT'),
      task(3, 'family:batch', 'FARGATE_SPOT'),
      task(4, 'service:api', 'FARGATE'),
    ];
    ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn) });
    ecs.on(DescribeTasksCommand).resolves({ tasks });
    const t = createTestContext();
    const result = await runCostReport(
      {
        clusters: ['prod'],
        includeTasks: true,
        prices: {
          kind: 'file',
          path: new URL('../fixtures/cost/prices-file.json', import.meta.url).pathname,
        },
      },
      t.ctx,
    );
    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toMatchObject({ desiredStatus: 'RUNNING' });
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row).toMatchObject({
      kind: 'task-group',
      name: 'family:batch',
      tasks: { desired: 3, running: 3 },
    });
    expect(row.launch).toMatchObject({ kind: 'fargate', onDemand: 1, spot: 2 });
    const od = 0.5 * 0.04048 + 0.004445;
    const spot = 0.5 * 0.0125 + 0.0014;
    expect(row.monthly?.current).toBeCloseTo((od + 2 * spot) * 730, 6);
    // Standalone tasks are not judged by a service's desired count.
    expect(row.spotBlockers).toEqual([]);
  });
});

describe('cost rightsize', () => {
  it('reads 4 metrics per service in GetMetricData batches of 500 and exits 1 when a size should change', async () => {
    const services = Array.from({ length: 126 }, (_, i) => ({
      serviceName: `svc-${String(i).padStart(3, '0')}`,
      desiredCount: 2,
      taskDefinition: tdArn('api'),
      launchType: 'FARGATE',
    }));
    seedEcs(services, { [tdArn('api')]: fargateTd('api') });
    const t = createTestContext();
    const now = t.ctx.now();
    const end = Math.floor(now / 60000) * 60000;
    const stamps = Array.from({ length: 1440 }, (_, i) => new Date(end - (i + 1) * 60000));
    cloudwatch.on(GetMetricDataCommand).callsFake(
      (input: {
        MetricDataQueries: {
          Id: string;
          MetricStat: { Metric: { MetricName: string; Dimensions: { Value: string }[] } };
        }[];
      }) => ({
        MetricDataResults: input.MetricDataQueries.map((q) => {
          const metric = q.MetricStat.Metric.MetricName;
          // svc-000 is busy (peak 900 of 1024 units per task); the others idle at 10 %.
          const busy = q.MetricStat.Metric.Dimensions.some((d) => d.Value === 'svc-000');
          const value =
            metric === 'CpuReserved'
              ? 2048
              : metric === 'MemoryReserved'
                ? 4096
                : metric === 'CpuUtilized'
                  ? busy
                    ? 1800
                    : 204.8
                  : 800;
          return { Id: q.Id, Timestamps: stamps, Values: stamps.map(() => value), StatusCode: 'Complete' };
        }),
      }),
    );
    const result = await runCostRightsize(
      { clusters: [], days: 1, headroom: 0.25, prices: { kind: 'bundled' } },
      t.ctx,
    );
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.MetricDataQueries?.length)).toEqual([500, 4]);
    expect(calls[0]?.args[0].input.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(60);
    expect(result.exitCode).toBe(ExitCode.findings);
    const busy = result.services.find((s) => s.serviceName === 'svc-000')!;
    expect(busy).toMatchObject({
      status: 'resize',
      underSized: false,
      recommended: { cpu: 2048, memory: 4096 },
    });
    const idle = result.services.find((s) => s.serviceName === 'svc-001')!;
    // 102.4 units × 1.25 = 128 units; memory 400 MiB × 1.25 = 500 MiB; containers reserve 256 MiB.
    expect(idle).toMatchObject({ status: 'resize', recommended: { cpu: 256, memory: 512 } });
    expect(idle.monthlySaving).toBeCloseTo(
      2 * 730 * (0.04048 + 2 * 0.004445 - (0.25 * 0.04048 + 0.5 * 0.004445)),
      6,
    );
    present(t.ctx.out, result, costRightsizeView);
    expect(t.stdout()).toMatch(/svc-001\s+1024\/2048\s+102 \(10 %\)\s+400 \(20 %\)\s+256\/512\s+resize/);
  });
});
