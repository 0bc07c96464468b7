/**
 * `ecsops cost report|rightsize`, built CLI against moto: moto has no Price List or Savings Plans
 * API, so every run here falls back to the bundled table and must say so. moto keeps no
 * capacity-provider strategy (the unit tests cover the split).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { callsMatching, motoClientConfig, resetMoto, startRecording, stopRecording } from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());
// moto cannot read a compressed PutMetricData body.
const cloudwatch = new CloudWatchClient({ ...motoClientConfig(), disableRequestCompression: true });
const WRITES = /:(Create|Put|Update|Delete|Register|Deregister|Run|Start|Stop|Tag|Untag)/;

async function seed() {
  await ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  const fargate = {
    requiresCompatibilities: ['FARGATE' as const],
    networkMode: 'awsvpc' as const,
  };
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'api',
      ...fargate,
      cpu: '1024',
      memory: '2048',
      ephemeralStorage: { sizeInGiB: 50 },
      containerDefinitions: [{ name: 'app', image: 'nginx', essential: true, memoryReservation: 256 }],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'arm',
      ...fargate,
      cpu: '512',
      memory: '1024',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      containerDefinitions: [{ name: 'app', image: 'nginx', essential: true, stopTimeout: 30 }],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'legacy',
      containerDefinitions: [{ name: 'app', image: 'nginx', cpu: 256, memory: 512 }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'api',
      taskDefinition: 'api',
      desiredCount: 3,
      launchType: 'FARGATE',
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'arm',
      taskDefinition: 'arm',
      desiredCount: 1,
      launchType: 'FARGATE',
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'legacy',
      taskDefinition: 'legacy',
      desiredCount: 2,
      launchType: 'EC2',
    }),
  );

  // A day of per-minute Container Insights sums for `api` (3 tasks of 1024 units / 2048 MiB); `arm` has none.
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const dims = [
    { Name: 'ClusterName', Value: 'prod' },
    { Name: 'ServiceName', Value: 'api' },
  ];
  const data = [];
  for (let i = 1; i <= 1300; i++) {
    const Timestamp = new Date(end - i * 60_000);
    const spike = i === 700 ? 2 : 1; // one minute at 2× the usual use: the peak
    data.push(
      { MetricName: 'CpuUtilized', Dimensions: dims, Timestamp, Value: 3 * 90 * spike },
      { MetricName: 'CpuReserved', Dimensions: dims, Timestamp, Value: 3 * 1024 },
      { MetricName: 'MemoryUtilized', Dimensions: dims, Timestamp, Value: 3 * 300 * spike },
      { MetricName: 'MemoryReserved', Dimensions: dims, Timestamp, Value: 3 * 2048 },
    );
  }
  for (let i = 0; i < data.length; i += 1000) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'ECS/ContainerInsights', MetricData: data.slice(i, i + 1000) }),
    );
  }
}

beforeAll(async () => {
  await resetMoto();
  await seed();
});

describe('ecsops cost (built CLI against moto)', () => {
  it('report --json: bundled prices labelled, every row priced by hand-checkable rates, zero writes', async () => {
    await startRecording();
    const run = await runCli(['cost', 'report', '--json']);
    const calls = await stopRecording();
    expect(run.code).toBe(0);
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(run.stderr).toMatch(/using the bundled price table \(as of 2026-06-17\)/);
    const doc = parseJsonDocument(run) as {
      hoursPerMonth: number;
      prices: {
        source: string;
        asOf: string;
        region: string;
        fallbackReason: string;
        rates: {
          onDemand: Record<string, { vcpuHour: number; gbHour: number }>;
          ephemeralStorageGbHour: number;
        };
      }[];
      rows: {
        serviceName: string;
        cpu: number;
        memory: number;
        ephemeralStorageGiB: number;
        monthly: Record<string, number | null> | null;
        notPriced?: string;
        spotEligible: boolean;
        spotBlockers: { code: string }[];
        runtimePlatform: { cpuArchitecture: string };
      }[];
    };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'cost report', hoursPerMonth: 730 });
    const prices = doc.prices[0]!;
    expect(prices).toMatchObject({ source: 'bundled', asOf: '2026-06-17', region: 'us-east-1' });
    expect(prices.fallbackReason).toMatch(/pricing:GetProducts/);
    const x86 = prices.rates.onDemand['linux/x86_64']!;
    const arm = prices.rates.onDemand['linux/arm64']!;

    const api = doc.rows.find((r) => r.serviceName === 'api')!;
    expect(api).toMatchObject({ cpu: 1024, memory: 2048, ephemeralStorageGiB: 50, spotEligible: true });
    const perTask = x86.vcpuHour + 2 * x86.gbHour + 30 * prices.rates.ephemeralStorageGbHour;
    expect(api.monthly?.current).toBeCloseTo(3 * perTask * 730, 2);
    expect(api.monthly?.allSpot).toBeNull(); // no Spot rate bundled: unknown, not guessed
    expect(api.monthly?.arm64).toBeCloseTo(
      3 * (arm.vcpuHour + 2 * arm.gbHour + 30 * prices.rates.ephemeralStorageGbHour) * 730,
      2,
    );

    const armRow = doc.rows.find((r) => r.serviceName === 'arm')!;
    expect(armRow.runtimePlatform.cpuArchitecture).toBe('arm64');
    expect(armRow.monthly?.current).toBeCloseTo((0.5 * arm.vcpuHour + arm.gbHour) * 730, 2);
    expect(armRow.spotBlockers.map((b) => b.code)).toEqual(['single-task']);

    const legacy = doc.rows.find((r) => r.serviceName === 'legacy')!;
    expect(legacy).toMatchObject({
      cpu: 256,
      memory: 512,
      monthly: null,
      notPriced: 'on EC2 instances: not a Fargate cost',
    });
  });

  it('report for people: the table, the 730-hour convention and the bundled-price notice', async () => {
    const run = await runCli(['cost', 'report', '--cluster', 'prod']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/730 hours a month/);
    expect(run.stdout).toMatch(/prod\s+api\s+FARGATE\s+3\/0\s+1 vCPU \/ 2 GiB\s+linux\/x86_64\s+50 GiB\s+\$/);
    expect(run.stdout).toMatch(/legacy .*on EC2: not Fargate/);
    expect(run.stdout).toMatch(/BUNDLED price table as of 2026-06-17/);
    expect(run.stdout).toMatch(/if the image has an arm64 build/);
  });

  it('rightsize --days 1 --json: recommends from the seeded peak, no data for the rest, exit 1, zero writes', async () => {
    await startRecording();
    const run = await runCli(['cost', 'rightsize', '--days', '1', '--json', '--bundled-prices']);
    const calls = await stopRecording();
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, /^pricing:|^savingsplans:/)).toEqual([]);
    expect(run.code).toBe(1);
    const doc = parseJsonDocument(run) as {
      periodSeconds: number;
      services: {
        serviceName: string;
        status: string;
        recommended: unknown;
        usage: { cpu: { peak: number }; memory: { peak: number } } | null;
        reason: string;
        monthlySaving: number | null;
      }[];
    };
    expect(doc.periodSeconds).toBe(60);
    const api = doc.services.find((s) => s.serviceName === 'api')!;
    // Peak 180 units / 600 MiB per task, + 25 % = 225 units / 750 MiB -> 256 / 1024; containers reserve 256 MiB.
    expect(api.usage?.cpu.peak).toBeCloseTo(180, 6);
    expect(api.usage?.memory.peak).toBeCloseTo(600, 6);
    expect(api).toMatchObject({ status: 'resize', recommended: { cpu: 256, memory: 1024 } });
    expect(api.monthlySaving).toBeGreaterThan(0);
    const arm = doc.services.find((s) => s.serviceName === 'arm')!;
    expect(arm).toMatchObject({ status: 'no-data', recommended: null });
    expect(arm.reason).toMatch(/no Container Insights datapoints/);
    expect(doc.services.find((s) => s.serviceName === 'legacy')).toMatchObject({ status: 'not-applicable' });
  });

  it('--prices-file with a bad rate: exit 2 and the field path, as one JSON document', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'ecsops-cost-')), 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        asOf: '2026-01-01',
        regions: { 'us-east-1': { onDemand: { 'linux/x86_64': { vcpuHour: -1 } } } },
      }),
    );
    const run = await runCli(['cost', 'report', '--prices-file', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('regions.us-east-1.onDemand.linux/x86_64.vcpuHour');
  });
});
