import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  PutAccountSettingCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountClientConfig } from './helpers/accounts.js';
import { type CliResult, parseJsonDocument, runCli } from './helpers/cli.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { ECS_TASKS_TRUST_POLICY } from './helpers/iam.js';
import {
  callsMatching,
  MOTO_ACCOUNT,
  motoClientConfig,
  motoEndpoint,
  type RecordedCall,
  resetMoto,
  startRecording,
  stopRecording,
} from './helpers/moto.js';

const REGION = 'us-east-1';
type ClientConfig = ReturnType<typeof motoClientConfig>;
/** The clients seeding goes through: the caller's account, or another one (`seedIn`). */
function clientsFor(config: ClientConfig, account: string) {
  return {
    account,
    ecs: new ECSClient(config),
    iam: new IAMClient(config),
    ssm: new SSMClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
}
let w = clientsFor(motoClientConfig(), MOTO_ACCOUNT);
const roleArn = (name: string) => `arn:aws:iam::${w.account}:role/${name}`;

/** Anything that changes state, in any service. */
const WRITES =
  /:(Put|Update|Create|Delete|Register|Deregister|Tag|Untag|Attach|Detach|Set|Enable|Disable|Start|Stop|Run)/;
/** Anything that returns a secret value. */
const VALUE_READS =
  /^(ssm:GetParameter|ssm:GetParameters|ssm:GetParametersByPath|secretsmanager:GetSecretValue)$/;

interface AuditDocument {
  status: string;
  account: string;
  counts: { clusters: number; services: number; taskDefinitions: number };
  summary: { kind: string; severity: string; account: string; count: number }[];
  findings: {
    kind: string;
    severity: string;
    account: string;
    region: string;
    resource: { type: string; name: string };
    secretName?: string;
    checkCode?: string;
    fix: string;
  }[];
  unreadable: {
    part: string;
    region: string;
    resource?: string;
    message: string;
    lackingPermission?: string;
  }[];
}

async function recorded(args: string[]): Promise<{ res: CliResult; calls: RecordedCall[] }> {
  await startRecording();
  const res = await runCli(args);
  return { res, calls: await stopRecording() };
}

async function service(cluster: string, name: string, taskDefinition: string, desiredCount: number) {
  await w.ecs.send(
    new CreateServiceCommand({ cluster, serviceName: name, taskDefinition, desiredCount, launchType: 'EC2' }),
  );
}

/** A managed task-health alarm as `alarm create` tags it (the tags are what audit looks for). */
async function managedAlarm(cluster: string, serviceName: string) {
  await w.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: `ecsops-task-health-${cluster}-${serviceName}`,
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
      Dimensions: [
        { Name: 'ClusterName', Value: cluster },
        { Name: 'ServiceName', Value: serviceName },
      ],
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Tags: [
        { Key: 'ecsops:managed', Value: 'true' },
        { Key: 'ecsops:cluster', Value: cluster },
        { Key: 'ecsops:service', Value: serviceName },
      ],
    }),
  );
}

/** The clean part of every world: a cluster with Insights on, an alarmed service whose secret its role can read. */
async function seedCleanPart() {
  await w.ecs.send(
    new CreateClusterCommand({
      clusterName: 'ok',
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    }),
  );
  await w.ssm.send(new PutParameterCommand({ Name: '/ok/url', Value: 'x', Type: 'String' }));
  await w.iam.send(
    new CreateRoleCommand({ RoleName: 'ok-exec', AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
  );
  await w.iam.send(
    new PutRolePolicyCommand({
      RoleName: 'ok-exec',
      PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: `arn:aws:ssm:${REGION}:${w.account}:parameter/ok/*`,
          },
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: `arn:aws:logs:${REGION}:${w.account}:log-group:/ecs/ok:*`,
          },
        ],
      }),
    }),
  );
  await w.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'ok-app',
      executionRoleArn: roleArn('ok-exec'),
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          memory: 128,
          secrets: [{ name: 'URL', valueFrom: '/ok/url' }],
          // awslogs, with a role that may write it: a note, not a problem.
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/ok', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' },
          },
        },
      ],
    }),
  );
  await service('ok', 'app', 'ok-app', 1);
  // Scaled to zero: no alarm needed.
  await service('ok', 'idle', 'ok-app', 0);
  // The alarm and the cluster's ECS events rule, as `alarm create` makes them.
  const topic = await w.sns.send(new CreateTopicCommand({ Name: 'alerts' }));
  const fleet = w.account === MOTO_ACCOUNT ? [] : ['--accounts', w.account];
  const created = await runCli([
    ...fleet,
    'alarm',
    'create',
    '--cluster',
    'ok',
    '--service',
    'app',
    '--sns-topic',
    topic.TopicArn ?? '',
    '--yes',
  ]);
  if (created.code !== 0) throw new Error(`alarm create failed: ${created.stderr}`);
}

describe('ecsops audit, a clean world (built CLI against moto)', () => {
  beforeAll(async () => {
    await resetMoto();
    await w.ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }));
    await seedCleanPart();
  });

  it('exits 0 with no findings, reading metadata only', async () => {
    const { res, calls } = await recorded(['audit', '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = parseJsonDocument(res) as unknown as AuditDocument;
    expect(doc).toMatchObject({ status: 'clean', account: MOTO_ACCOUNT, unreadable: [] });
    // Only a note: the container logs with awslogs (its role may write the group).
    expect(doc.findings.map((f) => [f.kind, f.severity])).toEqual([['awslogs-in-use', 'info']]);
    expect(doc.counts).toEqual({ clusters: 1, services: 2, taskDefinitions: 1 });
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    // The parameter's metadata was read (the check ran), once.
    expect(callsMatching(calls, /^ssm:DescribeParameters$/).length).toBeGreaterThan(0);
  });

  it('says so in words at a terminal', async () => {
    const res = await runCli(['audit']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `No problems (1 note(s)): account ${MOTO_ACCOUNT}, 1 cluster(s), 2 service(s)`,
    );
  });
});

describe('ecsops audit, a world with one problem of each kind', () => {
  let proxy: FaultProxy;

  beforeAll(async () => {
    await resetMoto();
    // The account default stays off (moto's default): insights-default-off.
    await seedCleanPart();
    // Cluster with Insights off.
    await w.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    // A wrapper (chamber) in the entry point, no alarm for its service.
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        executionRoleArn: roleArn('ok-exec'),
        containerDefinitions: [
          {
            name: 'web',
            image: 'nginx',
            memory: 128,
            entryPoint: ['/bin/chamber', 'exec', 'web-prod', '--', 'node', 'server.js'],
          },
        ],
      }),
    );
    await service('prod', 'web', 'web', 2);
    // An execution role that cannot read /app/db, and a parameter that does not exist.
    await w.ssm.send(new PutParameterCommand({ Name: '/app/db', Value: 'x', Type: 'String' }));
    await w.iam.send(
      new CreateRoleCommand({ RoleName: 'api-exec', AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
    );
    // It may read /app/gone (were it there), not /app/db.
    await w.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'api-exec',
        PolicyName: 'secrets',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ssm:GetParameters',
              Resource: `arn:aws:ssm:${REGION}:${MOTO_ACCOUNT}:parameter/app/gone`,
            },
          ],
        }),
      }),
    );
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        executionRoleArn: roleArn('api-exec'),
        containerDefinitions: [
          {
            name: 'api',
            image: 'nginx',
            memory: 128,
            secrets: [
              { name: 'DB', valueFrom: '/app/db' },
              { name: 'GONE', valueFrom: '/app/gone' },
            ],
            // api-exec may not write this log group.
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': '/ecs/api',
                'awslogs-region': REGION,
                'awslogs-stream-prefix': 'api',
              },
            },
          },
        ],
      }),
    );
    await service('prod', 'api', 'api', 1);
    // An alarm without the cluster's events rule; in cluster ok (Insights on), one whose service is gone.
    await managedAlarm('prod', 'api');
    await managedAlarm('ok', 'gone');
    proxy = await startFaultProxy({ target: motoEndpoint() });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('exits 1 naming each kind with its fix command, with zero writes and no value reads', async () => {
    const { res, calls } = await recorded(['audit', '--json']);
    expect(res.code).toBe(1);
    const doc = parseJsonDocument(res) as unknown as AuditDocument;
    expect(doc.status).toBe('findings');
    expect(doc.unreadable).toEqual([]);
    const byKind = (kind: string) => doc.findings.filter((f) => f.kind === kind);
    expect(new Set(doc.findings.map((f) => f.kind))).toEqual(
      new Set([
        'insights-off',
        'insights-default-off',
        'service-without-alarm',
        'wrapper-in-use',
        'secret-unreadable',
        'secret-missing',
        'logs-role-cannot-write',
        'awslogs-in-use',
        'cluster-without-events-rule',
        'alarm-orphaned',
      ]),
    );
    expect(byKind('insights-off').map((f) => f.resource.name)).toEqual(['prod']);
    expect(byKind('insights-off')[0]?.fix).toBe('ecsops insights enable --cluster prod --region us-east-1');
    expect(byKind('insights-default-off')[0]?.fix).toBe(
      'ecsops insights enable --account-default --region us-east-1',
    );
    // api has its alarm, ok/idle is scaled to zero: only web lacks one.
    expect(byKind('service-without-alarm').map((f) => f.resource.name)).toEqual(['prod/web']);
    expect(byKind('wrapper-in-use')[0]).toMatchObject({
      resource: { type: 'task-definition', name: 'web:1' },
      fix: 'ecsops secrets migrate --task-def web:1 --region us-east-1',
    });
    expect(byKind('secret-unreadable')).toMatchObject([
      { secretName: 'DB', checkCode: 'execution-role-cannot-read' },
    ]);
    expect(byKind('secret-missing')).toMatchObject([
      {
        secretName: 'GONE',
        checkCode: 'parameter-missing',
        fix: 'ecsops secrets check --task-def api:1 --fix --region us-east-1',
      },
    ]);
    // The execution role may not write api's awslogs group: one finding per missing action.
    expect(byKind('logs-role-cannot-write').map((f) => [f.resource.name, f.fix])).toEqual([
      ['api:1', 'ecsops logs check --task-def api:1 --fix --region us-east-1'],
      ['api:1', 'ecsops logs check --task-def api:1 --fix --region us-east-1'],
    ]);
    expect(byKind('awslogs-in-use').map((f) => [f.resource.name, f.severity])).toEqual([
      ['api:1', 'info'],
      ['ok-app:1', 'info'],
    ]);
    expect(byKind('cluster-without-events-rule').map((f) => f.resource.name)).toEqual(['prod']);
    expect(byKind('alarm-orphaned')).toMatchObject([
      { resource: { name: 'ok/gone' }, fix: 'ecsops alarm prune --cluster ok --region us-east-1' },
    ]);
    expect(doc.summary).toContainEqual({
      kind: 'service-without-alarm',
      severity: 'high',
      account: MOTO_ACCOUNT,
      count: 1,
    });
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    // One DescribeServices per cluster here (10 services a call), each revision described once.
    expect(callsMatching(calls, /^ecs:DescribeServices$/)).toHaveLength(2);
    expect(callsMatching(calls, /^ecs:DescribeTaskDefinition$/)).toHaveLength(3);
    expect(callsMatching(calls, /^sts:GetCallerIdentity$/)).toHaveLength(1);
  });

  it('prints the summary table by kind and account, then each finding with its fix', async () => {
    const res = await runCli(['audit']);
    expect(res.code).toBe(1);
    const [table] = res.stdout.split('\n\n');
    expect(table?.split('\n')[0]).toMatch(/^KIND\s+SEVERITY\s+ACCOUNT\s+FINDINGS$/);
    expect(table).toMatch(new RegExp(`service-without-alarm\\s+high\\s+${MOTO_ACCOUNT}\\s+1`));
    expect(res.stdout).toContain(
      'fix: ecsops alarm create --cluster prod --service web --sns-topic <topic-arn> --region us-east-1',
    );
    expect(res.stdout).toContain('10 finding(s), 2 note(s)');
  });

  it('the printed fix commands work: after them the insights findings are gone', async () => {
    const first = parseJsonDocument(await runCli(['audit', '--json'])) as unknown as AuditDocument;
    const fix = first.findings.find((f) => f.kind === 'insights-off')?.fix ?? '';
    const args = fix.split(' ').slice(1);
    expect((await runCli([...args, '--yes'])).code).toBe(0);
    const again = parseJsonDocument(await runCli(['audit', '--json'])) as unknown as AuditDocument;
    expect(again.findings.map((f) => f.kind)).not.toContain('insights-off');
    // Put it back for the next test.
    await w.ecs.send(
      new (await import('@aws-sdk/client-ecs')).UpdateClusterCommand({
        cluster: 'prod',
        settings: [{ name: 'containerInsights', value: 'disabled' }],
      }),
    );
  });

  it('exits 3 naming the part it could not read, and still reports the rest', async () => {
    proxy.setRules([{ match: { operation: 'cloudwatch:DescribeAlarms' }, fault: { kind: 'access-denied' } }]);
    const res = await runCli(['--endpoint-url', proxy.endpoint, '--max-attempts', '1', 'audit', '--json']);
    proxy.clearRules();
    expect(res.code).toBe(3);
    const doc = parseJsonDocument(res) as unknown as AuditDocument;
    expect(doc.status).toBe('incomplete');
    expect(doc.unreadable).toMatchObject([
      { part: 'alarms', region: REGION, lackingPermission: 'cloudwatch:DescribeAlarms' },
    ]);
    const kinds = doc.findings.map((f) => f.kind);
    // Without the alarms no service can be called unalarmed; everything else is still there.
    expect(kinds).not.toContain('service-without-alarm');
    expect(kinds).toContain('secret-missing');
    expect(kinds).toContain('insights-off');
  });

  it('--cluster limits the audit to the named clusters; an unknown one is a usage error', async () => {
    const res = await runCli(['audit', '--cluster', 'ok', '--json']);
    const doc = parseJsonDocument(res) as unknown as AuditDocument;
    expect(doc.findings.map((f) => f.kind)).toEqual([
      'insights-default-off',
      'alarm-orphaned',
      'awslogs-in-use',
    ]);
    const unknown = await runCli(['audit', '--cluster', 'nope', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('Cluster not found: nope');
  });
});

describe('ecsops audit --accounts (fleet)', () => {
  const A = '111111111111';
  const B = '222222222222';

  beforeAll(async () => {
    await resetMoto();
    // A: clean but for the account default; B: a cluster with Insights off too.
    w = clientsFor(await accountClientConfig(A), A);
    await w.ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'enabled' }));
    await seedCleanPart();
    w = clientsFor(await accountClientConfig(B), B);
    await seedCleanPart();
    await w.ecs.send(new CreateClusterCommand({ clusterName: 'legacy' }));
    w = clientsFor(motoClientConfig(), MOTO_ACCOUNT);
  });

  it('one summary by kind and account; each finding and fix names its account; zero writes', async () => {
    const { res, calls } = await recorded(['--accounts', `${A},${B}`, 'audit', '--json']);
    expect(res.code).toBe(1);
    const doc = parseJsonDocument(res) as unknown as AuditDocument & {
      audited: { account: string; status: string }[];
    };
    expect(doc.status).toBe('findings');
    expect(doc.audited.map((a) => [a.account, a.status])).toEqual([
      [A, 'clean'],
      [B, 'findings'],
    ]);
    expect(doc.summary).toEqual([
      { kind: 'insights-off', severity: 'medium', account: B, count: 1 },
      { kind: 'insights-default-off', severity: 'low', account: B, count: 1 },
      { kind: 'awslogs-in-use', severity: 'info', account: A, count: 1 },
      { kind: 'awslogs-in-use', severity: 'info', account: B, count: 1 },
    ]);
    expect(doc.findings.find((f) => f.kind === 'insights-off')).toMatchObject({
      account: B,
      resource: { name: 'legacy' },
      fix: `ecsops insights enable --cluster legacy --region us-east-1 --accounts ${B}`,
    });
    expect(callsMatching(calls, WRITES)).toEqual([]);
    expect(callsMatching(calls, VALUE_READS)).toEqual([]);
    // The account comes from the fleet run: no GetCallerIdentity per account for the findings.
    expect(callsMatching(calls, /^sts:AssumeRole$/)).toHaveLength(2);
  });

  it('human output: the summary table has a row per kind and account', async () => {
    const res = await runCli(['--accounts', `${A},${B}`, 'audit']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(new RegExp(`insights-off\\s+medium\\s+${B}\\s+1`));
    expect(res.stdout).toContain('2 finding(s), 2 note(s) in 1 of 2 account(s)');
  });

  it('the printed fix runs in the named account, and the next audit no longer reports it', async () => {
    const first = parseJsonDocument(
      await runCli(['--accounts', `${A},${B}`, 'audit', '--json']),
    ) as unknown as AuditDocument;
    const fix = first.findings.find((f) => f.kind === 'insights-off')?.fix ?? '';
    expect((await runCli([...fix.split(' ').slice(1), '--yes'])).code).toBe(0);
    const again = parseJsonDocument(
      await runCli(['--accounts', B, 'audit', '--json']),
    ) as unknown as AuditDocument;
    expect(again.findings.map((f) => f.kind)).toEqual(['insights-default-off', 'awslogs-in-use']);
  });
});
