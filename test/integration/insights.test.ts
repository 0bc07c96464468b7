import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { callsMatching, motoClientConfig, resetMoto, startRecording, stopRecording } from './helpers/moto.js';

const ecs = new ECSClient(motoClientConfig());

async function createClusters(spec: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(spec)) {
    await ecs.send(
      new CreateClusterCommand({
        clusterName: name,
        settings: value ? [{ name: 'containerInsights', value }] : undefined,
      }),
    );
  }
}
async function levels(): Promise<Record<string, string | undefined>> {
  const out = await ecs.send(
    new DescribeClustersCommand({ clusters: ['a', 'b', 'c'], include: ['SETTINGS'] }),
  );
  return Object.fromEntries(
    (out.clusters ?? []).map((c) => [
      c.clusterName,
      c.settings?.find((s) => s.name === 'containerInsights')?.value,
    ]),
  );
}

beforeEach(async () => {
  await resetMoto();
});

describe('ecsops insights (built CLI against moto)', () => {
  it('status lists clusters and the account default, in a table and as JSON', async () => {
    await createClusters({ a: 'enhanced', b: 'enabled', c: undefined });
    const human = await runCli(['insights', 'status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/us-east-1\s+a\s+enhanced/);
    expect(human.stdout).toMatch(/us-east-1\s+c\s+disabled/);
    expect(human.stdout).not.toContain('\u001b['); // no ANSI when not a TTY

    const json = await runCli(['insights', 'status', '--json']);
    const doc = parseJsonDocument(json);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'insights status' });
    expect(
      (doc.clusters as { clusterName: string; containerInsights: string }[]).map(
        (c) => `${c.clusterName}=${c.containerInsights}`,
      ),
    ).toEqual(['a=enhanced', 'b=enabled', 'c=disabled']);
  });

  it('--region all reads every enabled region (EC2 DescribeRegions) and finds clusters in each', async () => {
    await createClusters({ a: 'enabled' });
    await new ECSClient(motoClientConfig('eu-west-1')).send(
      new CreateClusterCommand({ clusterName: 'euro' }),
    );
    const doc = parseJsonDocument(await runCli(['insights', 'status', '--region', 'all', '--json']));
    const regions = (doc.regions as { region: string }[]).map((r) => r.region);
    expect(regions.length).toBeGreaterThan(10);
    expect(regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    expect(
      (doc.clusters as { region: string; clusterName: string }[]).map((c) => `${c.region}/${c.clusterName}`),
    ).toEqual(['eu-west-1/euro', 'us-east-1/a']);
  });

  it('--dry-run sends zero writes; apply writes one UpdateCluster per cluster needing it; second run writes nothing', async () => {
    await createClusters({ a: 'enhanced', b: 'enabled', c: undefined });

    await startRecording();
    const dry = await runCli(['insights', 'enable', '--all', '--level', 'enhanced', '--dry-run']);
    const dryCalls = await stopRecording();
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('~ us-east-1 b: containerInsights enabled -> enhanced');
    expect(callsMatching(dryCalls, /^ecs:(Update|Put)/)).toEqual([]);
    expect(dryCalls.map((c) => c.operation)).toEqual(['ecs:ListClusters', 'ecs:DescribeClusters']);

    await startRecording();
    const apply = await runCli(['insights', 'enable', '--all', '--level', 'enhanced', '--yes', '--json']);
    const applyCalls = await stopRecording();
    expect(apply.code).toBe(0);
    expect(callsMatching(applyCalls, /^ecs:UpdateCluster$/)).toHaveLength(2);
    const doc = parseJsonDocument(apply);
    expect(doc.changes).toHaveLength(2);
    expect(await levels()).toEqual({ a: 'enhanced', b: 'enhanced', c: 'enhanced' });

    await startRecording();
    const again = await runCli(['insights', 'enable', '--all', '--level', 'enhanced', '--yes']);
    const againCalls = await stopRecording();
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to do.');
    expect(callsMatching(againCalls, /^ecs:(Update|Put)/)).toEqual([]);
  });

  it('disable by name, with an ARN too', async () => {
    await createClusters({ a: 'enhanced', b: 'enabled', c: undefined });
    const res = await runCli([
      'insights',
      'disable',
      '--cluster',
      'a,arn:aws:ecs:us-east-1:123456789012:cluster/b',
      '--yes',
    ]);
    expect(res.code).toBe(0);
    expect(await levels()).toEqual({ a: 'disabled', b: 'disabled', c: 'disabled' });
  });

  it('an unknown cluster exits 2 naming it, and nothing is written', async () => {
    await createClusters({ a: undefined });
    await startRecording();
    const res = await runCli(['insights', 'enable', '--cluster', 'a,nope', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Cluster not found: nope');
    expect(callsMatching(calls, /^ecs:Update/)).toEqual([]);
  });

  it('no --yes without a terminal is a usage error (exit 2), not a hang', async () => {
    await createClusters({ a: undefined });
    const res = await runCli(['insights', 'enable', '--cluster', 'a']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--yes');
  });

  it('partial failure: moto lacks PutAccountSettingDefault, clusters still apply, exit 4, re-run finishes clusters', async () => {
    await createClusters({ a: undefined, b: undefined });
    const res = await runCli([
      'insights',
      'enable',
      '--all',
      '--account-default',
      '--yes',
      '--max-attempts',
      '1',
      '--json',
    ]);
    expect(res.code).toBe(4);
    const doc = parseJsonDocument(res);
    const statuses = (doc.changes as { kind: string; status: string }[]).map((c) => `${c.kind}:${c.status}`);
    expect(statuses).toEqual([
      'put-account-setting-default:failed',
      'update-cluster-setting:applied',
      'update-cluster-setting:applied',
    ]);
    expect(await levels()).toEqual({ a: 'enabled', b: 'enabled' });
  });

  it('invalid --level and conflicting flags are usage errors', async () => {
    expect((await runCli(['insights', 'enable', '--all', '--level', 'max'])).code).toBe(2);
    const conflict = await runCli(['insights', 'enable', '--all', '--cluster', 'a']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('--cluster and --all cannot be used together');
  });

  it('missing credentials give a clear error and exit 3', async () => {
    const res = await runCli(['insights', 'status'], {
      env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('No AWS credentials found');
  });
});

describe('Ctrl-C', () => {
  it('during --wait: reports what was applied and exits 130', async () => {
    await createClusters({ a: undefined });
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers/cli.js');
    const { motoEndpoint } = await import('./helpers/moto.js');
    const child = spawn(
      process.execPath,
      [BIN, 'insights', 'enable', '--cluster', 'a', '--yes', '--wait', '--wait-timeout', '120'],
      {
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: motoEndpoint(),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // One Ctrl-C: a second one means "quit now".
        if (stderr.includes('Waiting up to') && !interrupted) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    expect(code).toBe(130);
    expect(stdout).toContain('applied  us-east-1 a');
    expect(stderr).toContain('Interrupted');
  });
});
