/**
 * The built CLI against moto on each Node line (the project's global setup, test/integration/
 * global-setup.ts, starts the server): real SDK requests and responses on this line, with the same
 * output as on the reference line. The only moto file in the `node-lines` project, so it may reset.
 */
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type EcsopsRun, REFERENCE_NODE, runEcsops } from './spawn.js';

const endpoint = () => inject('motoEndpoint');
const ecs = () =>
  new ECSClient({
    region: 'us-east-1',
    endpoint: endpoint(),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

function ecsops(args: string[], node?: string): Promise<EcsopsRun> {
  return runEcsops(args, {
    node,
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint(),
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
}

/** Runs on this line and on the reference line; both must say the same. */
async function bothLines(args: string[]): Promise<EcsopsRun> {
  const [here, there] = await Promise.all([ecsops(args), ecsops(args, REFERENCE_NODE)]);
  expect(here, `ecsops ${args.join(' ')} on Node ${process.versions.node}`).toEqual(there);
  return here;
}

beforeAll(async () => {
  await fetch(`${endpoint()}/moto-api/reset`, { method: 'POST' });
  const client = ecs();
  for (const [name, value] of [
    ['a', 'enhanced'],
    ['b', 'enabled'],
    ['c', undefined],
  ] as const) {
    await client.send(
      new CreateClusterCommand({
        clusterName: name,
        settings: value ? [{ name: 'containerInsights', value }] : undefined,
      }),
    );
  }
});

describe(`ecsops against moto on Node ${process.versions.node}`, () => {
  it('insights status: the table, and the JSON document', async () => {
    const table = await bothLines(['insights', 'status']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/us-east-1\s+a\s+enhanced/);
    expect(table.stdout).toMatch(/us-east-1\s+c\s+disabled/);
    const json = await bothLines(['insights', 'status', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { schemaVersion: number; clusters: unknown[] };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'insights status' });
    expect(JSON.stringify(doc)).toContain('"enhanced"');
  });

  it('insights enable --dry-run plans the one cluster that needs it and writes nothing', async () => {
    const run = await bothLines(['insights', 'enable', '--all', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('us-east-1 c');
    const described = await ecs().send(
      new DescribeClustersCommand({ clusters: ['c'], include: ['SETTINGS'] }),
    );
    expect(described.clusters?.[0]?.settings?.find((s) => s.name === 'containerInsights')?.value).not.toBe(
      'enabled',
    );
  });

  it('an unknown cluster exits 2, with one JSON document naming it', async () => {
    const run = await bothLines(['insights', 'enable', '--cluster', 'nope', '--yes', '--json']);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout) as {
      schemaVersion: number;
      error: { exitCode: number; message: string };
    };
    expect(doc).toMatchObject({ schemaVersion: 1, error: { exitCode: 2 } });
    expect(doc.error.message).toContain('nope');
  });
});
