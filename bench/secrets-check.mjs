// Benchmark for `ecsops secrets check --cluster C --all-services` in moto (issue 12): 200 services,
// each on its own task definition, sharing 20 SecureString parameters (one customer key), 5
// execution roles and one managed policy. Prints calls per API and wall time as JSON.
//
// BENCH_BEFORE_BIN=/path/to/other/bin/ecsops.js runs the same scenario with another build too
// (e.g. a `git worktree` of the commit before a change), for a before/after comparison.
import { existsSync } from 'node:fs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BIN, cliEnv, countCalls, recorder, round, startMoto, timeOnce } from './lib.mjs';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 200);
const PARAMETERS = Number(process.env.BENCH_PARAMETERS ?? 20);
const ROLES = Number(process.env.BENCH_ROLES ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BEFORE_BIN = process.env.BENCH_BEFORE_BIN;
const CLUSTER = 'bench';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const moto = await startMoto();
const env = cliEnv(moto.endpoint);
const config = {
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

/** Runs `queue` through `fn`, 16 at a time (seeding only). */
async function each(items, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

async function seed() {
  const ecs = new ECSClient(config);
  const iam = new IAMClient(config);
  const ssm = new SSMClient(config);
  const kms = new KMSClient(config);
  const key = await kms.send(new CreateKeyCommand({ Description: 'bench secrets' }));
  const keyArn = key.KeyMetadata?.Arn;
  const params = Array.from({ length: PARAMETERS }, (_, i) => `/bench/p${String(i).padStart(2, '0')}`);
  await each(params, (Name) =>
    ssm.send(new PutParameterCommand({ Name, Value: 'x', Type: 'SecureString', KeyId: keyArn })),
  );
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'bench-secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'ssm:GetParameters',
            Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/bench/*`,
          },
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn },
        ],
      }),
    }),
  );
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const roles = Array.from({ length: ROLES }, (_, i) => `bench-exec-${i}`);
  for (const RoleName of roles) {
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: policy.Policy?.Arn }));
  }
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const indexes = Array.from({ length: SERVICES }, (_, i) => i);
  await each(indexes, async (i) => {
    const name = `svc-${String(i).padStart(3, '0')}`;
    const picked = [...new Set([i, i + 1, i + 7].map((n) => params[n % PARAMETERS]))];
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roles[i % ROLES]}`,
        containerDefinitions: [
          {
            name: 'app',
            image: 'nginx',
            memory: 128,
            secrets: picked.map((valueFrom, k) => ({ name: `S${k}`, valueFrom })),
          },
        ],
      }),
    );
    // EC2 launch type: no awsvpc subnets needed; moto places no tasks without container instances.
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: name,
        desiredCount: 0,
        launchType: 'EC2',
      }),
    );
  });
}

/** One recorded run (call counts) and RUNS timed runs (median wall time) of `bin`. */
async function measure(bin) {
  const args = [bin, 'secrets', 'check', '--cluster', CLUSTER, '--all-services', '--json'];
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  const first = timeOnce(process.execPath, args, env);
  await recorder(moto.endpoint, 'stop-recording');
  const calls = await countCalls(moto.endpoint);
  const doc = JSON.parse(first.stdout);
  const times = [first.ms];
  for (let i = 1; i < RUNS; i++) times.push(timeOnce(process.execPath, args, env).ms);
  times.sort((a, b) => a - b);
  return {
    bin,
    status: doc.status,
    taskDefinitions: doc.taskDefinitions?.length,
    medianMs: round(times[Math.floor(times.length / 2)]),
    runsMs: times.map((t) => round(t)),
    totalCalls: Object.values(calls).reduce((a, b) => a + b, 0),
    calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))),
  };
}

const result = { services: SERVICES, parameters: PARAMETERS, roles: ROLES, managedPolicies: 1, runs: RUNS };
try {
  await seed();
  result.goal = {
    DescribeParameters: `<= ceil(${PARAMETERS} / 50) = ${Math.ceil(PARAMETERS / 50)} (plus paging)`,
    GetPolicyVersion: '1 (one distinct policy)',
    GetRole: `${ROLES} (once per role)`,
  };
  result.note =
    'moto answers DescribeParameters 10 a page whatever MaxResults says, so one call for 20 names shows as 3 pages here (10 + 10 + an empty last one); AWS honours MaxResults 50: 1 call';
  result.after = await measure(BIN);
  if (BEFORE_BIN) {
    if (!existsSync(BEFORE_BIN)) throw new Error(`BENCH_BEFORE_BIN ${BEFORE_BIN} does not exist`);
    result.before = await measure(BEFORE_BIN);
    result.speedup = round(result.before.medianMs / result.after.medianMs, 2);
    result.callsSaved = result.before.totalCalls - result.after.totalCalls;
  } else {
    result.before = 'set BENCH_BEFORE_BIN to the bin/ecsops.js of another build to compare';
  }
} finally {
  await moto.stop();
}
console.log(JSON.stringify({ bench: 'secrets-check', ...result }, null, 2));
