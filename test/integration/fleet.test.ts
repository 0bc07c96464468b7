/**
 * Fleet runs (`--accounts`, `--org`, `--org-ou`) of the built CLI against moto, which emulates
 * sts:AssumeRole into other accounts and AWS Organizations.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountClientConfig } from './helpers/accounts.js';
import { parseJsonDocument, runCli, runCliInterrupted } from './helpers/cli.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  motoEndpoint,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

async function ecsIn(account: string): Promise<ECSClient> {
  return account === MOTO_ACCOUNT
    ? new ECSClient(motoClientConfig())
    : new ECSClient(await accountClientConfig(account));
}

/** One cluster `app-<account>` with Container Insights off in each account. */
async function seedClusters(accounts: readonly string[]) {
  for (const account of accounts) {
    await (await ecsIn(account)).send(new CreateClusterCommand({ clusterName: `app-${account}` }));
  }
}

async function insightsOf(account: string): Promise<string | undefined> {
  const out = await (await ecsIn(account)).send(
    new DescribeClustersCommand({ clusters: [`app-${account}`], include: ['SETTINGS'] }),
  );
  return out.clusters?.[0]?.settings?.find((s) => s.name === 'containerInsights')?.value;
}

interface ClusterRow {
  account: string;
  clusterName: string;
  clusterArn: string;
  containerInsights: string;
}

// Each new account costs moto a few seconds (it loads the AWS managed policies per account), so the
// world is seeded once per describe and the tests that write come last.
describe('--accounts (built CLI against moto)', () => {
  beforeAll(async () => {
    await resetMoto();
    await seedClusters([A, B, C, MOTO_ACCOUNT]);
  });

  it('insights status: one table with an ACCOUNT column, JSON rows carry the account', async () => {
    const human = await runCli(['--accounts', `${A},${B}`, 'insights', 'status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/ACCOUNT\s+REGION\s+CLUSTER/);
    expect(human.stdout).toMatch(new RegExp(`${A}\\s+us-east-1\\s+app-${A}\\s+disabled`));
    expect(human.stdout).toMatch(new RegExp(`${B}\\s+us-east-1\\s+app-${B}\\s+disabled`));
    // The caller's own account is not part of the run unless named.
    expect(human.stdout).not.toContain(`app-${MOTO_ACCOUNT}`);
    expect(human.stdout).not.toContain(`app-${C}`);

    const json = await runCli(['--accounts', A, '--accounts', B, '--json', 'insights', 'status']);
    expect(json.code).toBe(0);
    const doc = parseJsonDocument(json);
    const clusters = doc.clusters as ClusterRow[];
    expect(clusters.map((c) => [c.account, c.clusterName])).toEqual([
      [A, `app-${A}`],
      [B, `app-${B}`],
    ]);
    // Each row was read with that account's own credentials.
    for (const c of clusters) expect(c.clusterArn).toContain(`:${c.account}:cluster/`);
    expect(doc.accounts).toEqual([
      { account: A, status: 'done', exitCode: 0 },
      { account: B, status: 'done', exitCode: 0 },
    ]);
  });

  it('--exclude-accounts leaves an account out; an ARN template names the role per account', async () => {
    await startRecording();
    const res = await runCli([
      '--accounts',
      `${A},${B},${C}`,
      '--exclude-accounts',
      B,
      '--assume-role',
      'arn:aws:iam::{account}:role/ops/ecsops',
      '--role-session-name',
      'runbook-42',
      '--json',
      'insights',
      'status',
    ]);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    const doc = parseJsonDocument(res);
    expect((doc.clusters as ClusterRow[]).map((c) => c.account)).toEqual([A, C]);
    expect(callsMatching(calls, /^sts:AssumeRole$/)).toHaveLength(2);
  });

  it('flags without a fleet, or malformed ids, are usage errors with one JSON document', async () => {
    const stray = await runCli(['--assume-role', 'x', '--json', 'insights', 'status']);
    expect(stray.code).toBe(2);
    expect(JSON.stringify(parseJsonDocument(stray))).toContain('--assume-role');
    const bad = await runCli(['--accounts', '12345', 'insights', 'status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not an account id: "12345"');
  });
  it('insights enable changes each named account, not the caller’s own; --dry-run writes nothing anywhere', async () => {
    await startRecording();
    const dry = await runCli([
      '--accounts',
      `${A},${B}`,
      'insights',
      'enable',
      '--all',
      '--dry-run',
      '--json',
    ]);
    const dryCalls = await stopRecording();
    expect(dry.code).toBe(0);
    expect(callsMatching(dryCalls, /^ecs:(Update|Put)/)).toEqual([]);
    const dryDoc = parseJsonDocument(dry);
    expect(
      (dryDoc.accounts as { account: string; dryRun: boolean }[]).map((a) => [a.account, a.dryRun]),
    ).toEqual([
      [A, true],
      [B, true],
    ]);
    expect(await insightsOf(A)).toBe('disabled');

    const res = await runCli(['--accounts', `${A},${B}`, 'insights', 'enable', '--all', '--yes']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`== account ${A} ==`);
    expect(res.stdout).toContain(`== account ${B} ==`);
    expect(res.stderr).toContain(`[${A}] Plan: 1 to change`);
    expect(await insightsOf(A)).toBe('enabled');
    expect(await insightsOf(B)).toBe('enabled');
    expect(await insightsOf(C)).toBe('disabled');
    expect(await insightsOf(MOTO_ACCOUNT)).toBe('disabled');

    // A second run is a no-op in every account.
    await startRecording();
    const again = await runCli(['--accounts', `${A},${B}`, 'insights', 'enable', '--all', '--yes']);
    expect(callsMatching(await stopRecording(), /^ecs:(Update|Put)/)).toEqual([]);
    expect(again.code).toBe(0);
  });

  it('the caller’s own account, when named, runs on the caller’s credentials (no AssumeRole into it)', async () => {
    await startRecording();
    const res = await runCli(['--accounts', `${MOTO_ACCOUNT},${A}`, 'insights', 'enable', '--all', '--yes']);
    const calls = await stopRecording();
    expect(res.code).toBe(0);
    expect(await insightsOf(MOTO_ACCOUNT)).toBe('enabled');
    expect(await insightsOf(A)).toBe('enabled');
    expect(callsMatching(calls, /^sts:AssumeRole$/)).toHaveLength(1);
  });
});

describe('an account whose role cannot be assumed', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: motoEndpoint() });
    await resetMoto();
    await seedClusters([A, B, C]);
  });
  afterAll(() => proxy.close());
  beforeEach(() => {
    proxy.setRules([
      { match: { operation: 'sts:AssumeRole', bodyIncludes: B }, fault: { kind: 'access-denied' } },
    ]);
  });

  it('is reported for that account (role, account, trust fix); the others proceed; exit 4 for a write', async () => {
    const res = await runCli([
      '--endpoint-url',
      proxy.endpoint,
      '--max-attempts',
      '1',
      '--accounts',
      `${A},${B},${C}`,
      '--json',
      'insights',
      'enable',
      '--all',
      '--yes',
    ]);
    expect(res.code).toBe(4);
    expect(await insightsOf(A)).toBe('enabled');
    expect(await insightsOf(C)).toBe('enabled');
    expect(await insightsOf(B)).toBe('disabled');
    const doc = parseJsonDocument(res);
    expect(doc.exitCode).toBe(4);
    const accounts = doc.accounts as {
      account: string;
      status: string;
      error?: { message: string; hint: string };
    }[];
    expect(accounts.map((a) => [a.account, a.status])).toEqual([
      [A, 'done'],
      [B, 'failed'],
      [C, 'done'],
    ]);
    const failed = accounts[1]!;
    expect(failed.error?.message).toContain(`arn:aws:iam::${B}:role/OrganizationAccountAccessRole`);
    expect(failed.error?.message).toContain(`account ${B}`);
    expect(failed.error?.hint).toContain('trust policy');
    expect(res.stderr).toContain(`[${B}]`);
  });

  it('exits 3 for a read, with the other accounts listed', async () => {
    const res = await runCli([
      '--endpoint-url',
      proxy.endpoint,
      '--max-attempts',
      '1',
      '--accounts',
      `${A},${B}`,
      'insights',
      'status',
    ]);
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(new RegExp(`${A}\\s+us-east-1\\s+app-${A}`));
    expect(res.stderr).toContain(
      `Could not assume role arn:aws:iam::${B}:role/OrganizationAccountAccessRole`,
    );
    expect(res.stderr).toContain('1 failed (222222222222)');
  });

  it('Ctrl-C stops starting accounts: the one in flight is reported, the rest as not started, exit 130', async () => {
    proxy.setRules([{ match: { operation: 'sts:AssumeRole' }, fault: { kind: 'latency', ms: 1500 } }]);
    proxy.clearRequests();
    const res = await runCliInterrupted(
      [
        '--concurrency',
        '1',
        '--accounts',
        `${A},${C},${B}`,
        '--json',
        'insights',
        'enable',
        '--all',
        '--yes',
      ],
      {
        endpoint: proxy.endpoint,
        when: () => proxy.requests().some((r) => r.operation === 'sts:AssumeRole'),
      },
    );
    expect(res.code).toBe(130);
    const doc = parseJsonDocument(res);
    expect(doc.interrupted).toBe(true);
    const statuses = (doc.accounts as { account: string; status: string }[]).map((a) => [
      a.account,
      a.status,
    ]);
    expect(statuses.slice(1)).toEqual([
      [C, 'not-started'],
      [B, 'not-started'],
    ]);
    expect(proxy.requests().filter((r) => r.operation === 'sts:AssumeRole')).toHaveLength(1);
    expect(proxy.requests().filter((r) => r.operation === 'ecs:UpdateCluster')).toEqual([]);
  });
});

describe('--org and --org-ou (moto Organizations)', () => {
  const org = new OrganizationsClient(motoClientConfig());
  let members: string[] = [];
  let ou = '';

  beforeAll(async () => {
    await resetMoto();
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    members = [];
    for (const name of ['billing', 'search', 'sandbox']) {
      const out = await org.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      members.push(out.CreateAccountStatus?.AccountId ?? '');
    }
    const root = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    ou =
      (await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'workloads' })))
        .OrganizationalUnit?.Id ?? '';
    const child =
      (await org.send(new CreateOrganizationalUnitCommand({ ParentId: ou, Name: 'prod' }))).OrganizationalUnit
        ?.Id ?? '';
    // billing directly under the OU, search in its child OU, sandbox stays under the root.
    await org.send(
      new MoveAccountCommand({ AccountId: members[0], SourceParentId: root, DestinationParentId: ou }),
    );
    await org.send(
      new MoveAccountCommand({ AccountId: members[1], SourceParentId: root, DestinationParentId: child }),
    );
    await seedClusters([...members, MOTO_ACCOUNT]);
  });

  it('--org runs in every ACTIVE account the organization lists, the management account included', async () => {
    const res = await runCli(['--org', '--json', 'insights', 'status']);
    expect(res.code).toBe(0);
    const doc = parseJsonDocument(res);
    const accounts = (doc.accounts as { account: string }[]).map((a) => a.account).sort();
    expect(accounts).toEqual([...members, MOTO_ACCOUNT].sort());
    for (const c of doc.clusters as ClusterRow[]) expect(c.clusterName).toBe(`app-${c.account}`);
  });

  it('--org-ou walks the OU and its child OUs; --exclude-accounts applies', async () => {
    const res = await runCli(['--org-ou', ou, '--json', 'insights', 'enable', '--all', '--yes']);
    expect(res.code).toBe(0);
    const doc = parseJsonDocument(res);
    expect((doc.accounts as { account: string }[]).map((a) => a.account).sort()).toEqual(
      [members[0], members[1]].sort(),
    );
    expect(await insightsOf(members[0]!)).toBe('enabled');
    expect(await insightsOf(members[1]!)).toBe('enabled');
    expect(await insightsOf(members[2]!)).toBe('disabled');
    expect(await insightsOf(MOTO_ACCOUNT)).toBe('disabled');

    const excluded = await runCli([
      '--org-ou',
      ou,
      '--exclude-accounts',
      members[1]!,
      '--json',
      'insights',
      'status',
    ]);
    expect((parseJsonDocument(excluded).accounts as { account: string }[]).map((a) => a.account)).toEqual([
      members[0],
    ]);
  });
});

describe('alarm create and alarm list across accounts', () => {
  async function alarmNamesIn(account: string): Promise<string[]> {
    const config = account === MOTO_ACCOUNT ? motoClientConfig() : await accountClientConfig(account);
    const out = await new CloudWatchClient(config).send(new DescribeAlarmsCommand({}));
    return (out.MetricAlarms ?? []).map((a) => a.AlarmName ?? '');
  }

  beforeAll(async () => {
    await resetMoto();
    for (const account of [A, B, MOTO_ACCOUNT]) {
      const ecs = await ecsIn(account);
      await ecs.send(
        new CreateClusterCommand({
          clusterName: 'prod',
          settings: [{ name: 'containerInsights', value: 'enabled' }],
        }),
      );
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'web',
          taskDefinition: 'web',
          desiredCount: 1,
        }),
      );
    }
  });

  it('writes each account’s alarm through that account’s credentials; alarm list has an ACCOUNT column', async () => {
    await startRecording();
    const dry = await runCli([
      '--accounts',
      `${A},${B}`,
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--dry-run',
    ]);
    expect(callsMatching(await stopRecording(), /^cloudwatch:(PutMetricAlarm|TagResource)/)).toEqual([]);
    expect(dry.code).toBe(0);
    expect(await alarmNamesIn(A)).toEqual([]);

    const res = await runCli([
      '--accounts',
      `${A},${B}`,
      'alarm',
      'create',
      '--cluster',
      'prod',
      '--all-services',
      '--yes',
    ]);
    expect(res.code).toBe(0);
    expect(await alarmNamesIn(A)).toEqual(['ecsops-task-health-prod-web']);
    expect(await alarmNamesIn(B)).toEqual(['ecsops-task-health-prod-web']);
    expect(await alarmNamesIn(MOTO_ACCOUNT)).toEqual([]);

    const list = await runCli(['--accounts', `${A},${B}`, 'alarm', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ACCOUNT\s+REGION\s+CLUSTER\s+SERVICE\s+STATE\s+ALARM/);
    const json = parseJsonDocument(await runCli(['--accounts', `${A},${B}`, '--json', 'alarm', 'list']));
    const alarms = json.alarms as { account: string; alarmArn: string; serviceName: string }[];
    expect(alarms.map((a) => [a.account, a.serviceName])).toEqual([
      [A, 'web'],
      [B, 'web'],
    ]);
    for (const a of alarms) expect(a.alarmArn).toContain(`:${a.account}:alarm:`);
  });
});
