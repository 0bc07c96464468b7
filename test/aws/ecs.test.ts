import { DescribeClustersCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESCRIBE_BATCH_CONCURRENCY, describeClusters, describeServices } from '../../src/aws/ecs.js';

const ACCT = '123456789012';
const REGION = 'us-east-1';
const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: REGION });
const clusterArn = (n: string) => `arn:aws:ecs:${REGION}:${ACCT}:cluster/${n}`;
const serviceArn = (n: string) => `arn:aws:ecs:${REGION}:${ACCT}:service/prod/${n}`;

/** A fake that tracks how many calls are in flight; later batches answer first. */
function inFlightTracker() {
  let inFlight = 0;
  let calls = 0;
  const t = {
    most: 0,
    fake:
      <I, O>(answer: (input: I) => O) =>
      async (input: I) => {
        const n = calls++;
        inFlight++;
        t.most = Math.max(t.most, inFlight);
        await new Promise((r) => setTimeout(r, Math.max(1, 40 - n * 3)));
        inFlight--;
        return answer(input);
      },
  };
  return t;
}

beforeEach(() => ecsMock.reset());
afterEach(() => ecsMock.reset());

describe('describeServices', () => {
  it('sends the 10-service batches side by side, at most 8 at once, results in input order', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    const t = inFlightTracker();
    ecsMock.on(DescribeServicesCommand).callsFake(
      t.fake((input: { services: string[] }) => ({
        services: input.services
          .filter((s) => s !== 'svc-013')
          .map((s) => ({
            serviceName: s,
            serviceArn: serviceArn(s),
            clusterArn: clusterArn('prod'),
            status: s === 'svc-150' ? 'INACTIVE' : 'ACTIVE',
            taskDefinition: `td-${s}`,
          })),
        failures: input.services.includes('svc-013')
          ? [{ arn: serviceArn('svc-013'), reason: 'MISSING' }]
          : [],
      })),
    );
    const r = await describeServices(ecs, REGION, 'prod', names);
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(20);
    for (const c of ecsMock.commandCalls(DescribeServicesCommand))
      expect(c.args[0].input.services?.length).toBe(10);
    expect(DESCRIBE_BATCH_CONCURRENCY).toBe(8);
    expect(t.most).toBe(8);
    expect(r.services.map((s) => s.serviceName)).toEqual(
      names.filter((n) => n !== 'svc-013' && n !== 'svc-150'),
    );
    expect(r.missing).toEqual(['svc-013', 'svc-150']);
  });

  it('an unknown cluster: the not-found error, once, whatever the batch count', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(
        Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $metadata: {} }),
      );
    await expect(
      describeServices(
        ecs,
        REGION,
        'nope',
        Array.from({ length: 30 }, (_, i) => `s${i}`),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundError' });
  });
});

describe('describeClusters', () => {
  it('sends the 100-cluster batches side by side, results and missing names in input order', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `c${i}`);
    const t = inFlightTracker();
    ecsMock.on(DescribeClustersCommand).callsFake(
      t.fake((input: { clusters: string[] }) => ({
        clusters: input.clusters
          .filter((c) => c !== 'c120')
          .map((c) => ({
            clusterName: c,
            clusterArn: clusterArn(c),
            status: 'ACTIVE',
            settings: [{ name: 'containerInsights', value: 'enabled' }],
          })),
        failures: input.clusters.includes('c120') ? [{ arn: clusterArn('c120'), reason: 'MISSING' }] : [],
      })),
    );
    const r = await describeClusters(ecs, REGION, names);
    expect(
      ecsMock.commandCalls(DescribeClustersCommand).map((c) => c.args[0].input.clusters?.length),
    ).toEqual([100, 100, 50]);
    expect(t.most).toBe(3);
    expect(r.clusters.map((c) => c.clusterName)).toEqual(names.filter((n) => n !== 'c120'));
    expect(r.missing).toEqual([clusterArn('c120')]);
  });
});
