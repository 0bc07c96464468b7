// Benchmark for fleet runs (issue 11): `insights status --accounts` over 10 accounts against one
// account, as a ratio of wall times, with the API calls of each run. Accounts are emulated by moto's
// sts:AssumeRole (credentials that act in the role's account). Prints a JSON summary.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { BIN, cliEnv, countCalls, medianMs, recorder, round, startMoto, timeOnce } from './lib.mjs';

const ACCOUNTS = Number(process.env.BENCH_FLEET_ACCOUNTS ?? 10);
const CLUSTERS = Number(process.env.BENCH_FLEET_CLUSTERS ?? 20);
const RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 5);
// moto answers in ~1 ms; AWS in tens of ms. The second set of runs goes through a proxy that adds
// this much to every call, which is where running accounts side by side pays off.
const LATENCY_MS = Number(process.env.BENCH_FLEET_LATENCY_MS ?? 50);

/** A loopback proxy to `target` that waits `ms` before forwarding each request. */
function latencyProxy(target, ms) {
  const { hostname, port } = new URL(target);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () =>
      setTimeout(() => {
        const up = request(
          { hostname, port, path: req.url, method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        up.on('error', () => res.destroy());
        up.end(Buffer.concat(chunks));
      }, ms),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ endpoint: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }),
    ),
  );
}

const moto = await startMoto();
const env = cliEnv(moto.endpoint);
const base = {
  region: 'us-east-1',
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(100000000001 + i));
const result = { accounts: ACCOUNTS, clustersPerAccount: CLUSTERS, runs: RUNS };

async function seed(config) {
  const ecs = new ECSClient(config);
  await Promise.all(
    Array.from({ length: CLUSTERS }, (_, i) => ecs.send(new CreateClusterCommand({ clusterName: `c-${i}` }))),
  );
}

/** One run of the CLI without blocking this process (the latency proxy lives in it). */
function runAsync(args, runEnv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: runEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`ecsops ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

/** Median wall time of RUNS runs after one warm-up, through the latency proxy. */
async function measureAsync(args, runEnv) {
  await runAsync(args, runEnv);
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await runAsync(args, runEnv));
  times.sort((a, b) => a - b);
  return { ms: round(times[Math.floor(times.length / 2)]) };
}

async function measure(args, runEnv = env) {
  const ms = medianMs(process.execPath, [BIN, ...args], runEnv, RUNS);
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  timeOnce(process.execPath, [BIN, ...args], runEnv);
  await recorder(moto.endpoint, 'stop-recording');
  return { ms: round(ms), calls: await countCalls(moto.endpoint) };
}

try {
  const sts = new STSClient(base);
  await seed(base);
  for (const account of accounts) {
    const c = (
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'bench-seed',
        }),
      )
    ).Credentials;
    await seed({
      ...base,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      },
    });
  }
  const single = await measure(['insights', 'status']);
  const oneAccount = await measure(['--accounts', accounts[0], 'insights', 'status']);
  const fleet = await measure(['--accounts', accounts.join(','), 'insights', 'status']);
  const sequential = await measure([
    '--accounts',
    accounts.join(','),
    '--concurrency',
    '1',
    'insights',
    'status',
  ]);
  result.singleAccount = single;
  result.oneAccountViaAssumeRole = oneAccount;
  result.tenAccounts = fleet;
  result.tenAccountsConcurrency1 = sequential;
  result.ratio = {
    tenAccountsVsSingleAccount: round(fleet.ms / single.ms, 2),
    tenAccountsVsOneAssumedAccount: round(fleet.ms / oneAccount.ms, 2),
    tenAccountsVsTenSeparateRuns: round(fleet.ms / (ACCOUNTS * single.ms), 2),
  };

  const proxy = await latencyProxy(moto.endpoint, LATENCY_MS);
  try {
    const slow = { ...env, AWS_ENDPOINT_URL: proxy.endpoint };
    const all = accounts.join(',');
    const s1 = await measureAsync(['insights', 'status'], slow);
    const s10 = await measureAsync(['--accounts', all, 'insights', 'status'], slow);
    const s10c1 = await measureAsync(['--accounts', all, '--concurrency', '1', 'insights', 'status'], slow);
    result.withLatency = {
      latencyMsPerCall: LATENCY_MS,
      singleAccountMs: s1.ms,
      tenAccountsMs: s10.ms,
      tenAccountsConcurrency1Ms: s10c1.ms,
      ratio: {
        tenAccountsVsSingleAccount: round(s10.ms / s1.ms, 2),
        tenAccountsConcurrency1VsSingleAccount: round(s10c1.ms / s1.ms, 2),
      },
    };
  } finally {
    proxy.close();
  }
} finally {
  await moto.stop();
}
console.log(JSON.stringify({ bench: 'fleet', ...result }, null, 2));
