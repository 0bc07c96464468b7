// Benchmark for `ecsops audit` in moto (issue 11): 3 accounts x 100 services (2 clusters of 50),
// each service on its own task definition, sharing 20 parameters and 5 execution roles per account;
// half the services have their task-health alarm, every 10th runs a chamber wrapper. Other accounts
// are reached the way moto emulates them: STS AssumeRole into the account id, whose credentials then
// act in that account. Prints calls per API and wall time as JSON.
//
// `audit`: the three accounts in one run with `--accounts` (the fleet fan-out); `onePerAccount`:
// one run per account with that account's credentials, summed, for comparison.
import { spawnSync } from 'node:child_process';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { BIN, cliEnv, countCalls, recorder, round, startMoto } from './lib.mjs';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100);
const CLUSTERS = 2;
const PARAMETERS = 20;
const ROLES = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REGION = 'us-east-1';

const moto = await startMoto();
const base = {
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** Runs `items` through `fn`, 16 at a time (seeding only). */
async function each(items, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/** Credentials that act in `account` (moto: AssumeRole into that account id). */
async function credentialsFor(account) {
  const out = await new STSClient(base).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'bench',
    }),
  );
  const c = out.Credentials;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function seedAccount(account, credentials) {
  const config = { ...base, credentials };
  const ecs = new ECSClient(config);
  const iam = new IAMClient(config);
  const ssm = new SSMClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const params = Array.from({ length: PARAMETERS }, (_, i) => `/bench/p${String(i).padStart(2, '0')}`);
  await each(params, (Name) => ssm.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String' })));
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const roles = Array.from({ length: ROLES }, (_, i) => `bench-exec-${i}`);
  for (const RoleName of roles) {
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName,
        PolicyName: 'secrets',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ssm:GetParameters',
              Resource: `arn:aws:ssm:${REGION}:${account}:parameter/bench/*`,
            },
          ],
        }),
      }),
    );
  }
  for (let c = 0; c < CLUSTERS; c++) {
    await ecs.send(
      new CreateClusterCommand({
        clusterName: `bench-${c}`,
        settings: [{ name: 'containerInsights', value: c === 0 ? 'enabled' : 'disabled' }],
      }),
    );
  }
  await each(
    Array.from({ length: SERVICES }, (_, i) => i),
    async (i) => {
      const name = `svc-${String(i).padStart(3, '0')}`;
      const cluster = `bench-${i % CLUSTERS}`;
      const picked = [...new Set([i, i + 1, i + 7].map((n) => params[n % PARAMETERS]))];
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: name,
          executionRoleArn: `arn:aws:iam::${account}:role/${roles[i % ROLES]}`,
          containerDefinitions: [
            {
              name: 'app',
              image: 'nginx',
              memory: 128,
              secrets: picked.map((valueFrom, k) => ({ name: `S${k}`, valueFrom })),
              ...(i % 10 === 0 ? { entryPoint: ['chamber', 'exec', 'bench', '--', 'node', 'app.js'] } : {}),
            },
          ],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: name,
          taskDefinition: name,
          desiredCount: 1,
          launchType: 'EC2',
        }),
      );
      if (i % 2 === 0) {
        await cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: `ecsops-task-health-${cluster}-${name}`,
            Namespace: 'ECS/ContainerInsights',
            MetricName: 'RunningTaskCount',
            Dimensions: [
              { Name: 'ClusterName', Value: cluster },
              { Name: 'ServiceName', Value: name },
            ],
            Statistic: 'Minimum',
            Period: 60,
            EvaluationPeriods: 3,
            Threshold: 1,
            ComparisonOperator: 'LessThanThreshold',
            Tags: [
              { Key: 'ecsops:managed', Value: 'true' },
              { Key: 'ecsops:cluster', Value: cluster },
              { Key: 'ecsops:service', Value: name },
            ],
          }),
        );
      }
    },
  );
}

function run(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return r;
}

/** Times `runs` of the whole audit (all accounts); returns the counts of the first. */
async function measure(plan) {
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  const first = plan();
  await recorder(moto.endpoint, 'stop-recording');
  const calls = await countCalls(moto.endpoint);
  const times = [first.ms];
  for (let i = 1; i < RUNS; i++) times.push(plan().ms);
  times.sort((a, b) => a - b);
  return {
    findings: first.findings,
    exitCodes: first.exitCodes,
    medianMs: round(times[Math.floor(times.length / 2)]),
    runsMs: times.map((t) => round(t)),
    totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
    calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))),
  };
}

const result = {
  accounts: ACCOUNTS.length,
  servicesPerAccount: SERVICES,
  clustersPerAccount: CLUSTERS,
  parametersPerAccount: PARAMETERS,
  rolesPerAccount: ROLES,
  runs: RUNS,
};
try {
  const creds = {};
  for (const account of ACCOUNTS) {
    creds[account] = await credentialsFor(account);
    await seedAccount(account, creds[account]);
  }
  const env = cliEnv(moto.endpoint);
  const fleet = /--accounts/.test(run(['--help'], env).stdout);
  result.mode = fleet
    ? 'audit: one run with --accounts; onePerAccount: one run per account, summed'
    : 'onePerAccount only (no --accounts in this build)';
  result.goal = {
    DescribeServices: `ceil(${SERVICES / CLUSTERS} / 10) per cluster = ${CLUSTERS * Math.ceil(SERVICES / CLUSTERS / 10) * ACCOUNTS.length} in all`,
    DescribeTaskDefinition: `one per revision in use = ${SERVICES * ACCOUNTS.length}`,
    GetRole: `once per role per account = ${ROLES * ACCOUNTS.length}`,
    DescribeParameters: `ceil(${PARAMETERS} / 50) per account-region (moto pages 10 at a time: 3 calls)`,
  };
  const perAccount = () => {
    let ms = 0;
    let findings = 0;
    const exitCodes = [];
    for (const account of ACCOUNTS) {
      const c = creds[account];
      const t = timeOnceAllowingFindings(['audit', '--json'], {
        ...env,
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        AWS_SESSION_TOKEN: c.sessionToken,
      });
      ms += t.ms;
      findings += t.findings;
      exitCodes.push(...t.exitCodes);
    }
    return { ms, findings, exitCodes };
  };
  if (fleet) {
    result.audit = await measure(() =>
      timeOnceAllowingFindings(['--accounts', ACCOUNTS.join(','), 'audit', '--json'], env),
    );
  }
  // The same audit one account at a time, each with its own credentials: the baseline a fleet run
  // is compared with.
  result.onePerAccount = await measure(perAccount);
  if (fleet) result.fleetVsOnePerAccount = round(result.onePerAccount.medianMs / result.audit.medianMs, 2);
} finally {
  await moto.stop();
}

/** One audit run; exit 1 (findings) is the expected outcome here, anything but 0/1 fails the bench. */
function timeOnceAllowingFindings(args, env) {
  const start = process.hrtime.bigint();
  const r = run(args, env);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`ecsops ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  return { ms, findings: doc.findings?.length ?? 0, exitCodes: [r.status] };
}
console.log(JSON.stringify({ bench: 'audit', ...result }, null, 2));
