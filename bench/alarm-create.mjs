// Benchmark for `ecsops alarm create --all-services` over many services in moto (issue: API calls and
// wall time, vs a shell loop of `aws cloudwatch put-metric-alarm`), and `alarm create --dry-run` over
// 50/200/500/1000 services (issue 12: wall time per service stays flat, peak RSS). Prints a JSON summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { planAlarmMetrics } from '../dist/core/alarm/definition.js';
import { BIN, cliEnv, countCalls, recorder, round, startMoto, timeOnce } from './lib.mjs';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 500);
// The AWS CLI starts a Python interpreter per call; sample this many calls and extrapolate.
const LOOP_SAMPLE = Number(process.env.BENCH_LOOP_SAMPLE ?? 50);
const CLUSTER = 'bench';
// `alarm create --dry-run` at these service counts (cumulative, in a cluster of their own).
const SCALE = (process.env.BENCH_ALARM_SCALE ?? '50,200,500,1000').split(',').map(Number);
const SCALE_RUNS = Number(process.env.BENCH_ALARM_SCALE_RUNS ?? 5);
const SCALE_CLUSTER = 'scale';

const moto = await startMoto();
const env = cliEnv(moto.endpoint);
const config = {
  region: 'us-east-1',
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
const result = { services: SERVICES };

async function recorded(args) {
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  const run = timeOnce(process.execPath, [BIN, ...args], env);
  await recorder(moto.endpoint, 'stop-recording');
  const calls = await countCalls(moto.endpoint);
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  return { ms: round(run.ms), totalCalls: total, calls };
}

try {
  // Seed: one cluster with Container Insights on, SERVICES services at desired 1, an SNS topic.
  const ecs = new ECSClient(config);
  await ecs.send(
    new CreateClusterCommand({
      clusterName: CLUSTER,
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
    }),
  );
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        await ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: name,
            taskDefinition: 'app',
            desiredCount: 1,
          }),
        );
      }
    }),
  );
  const topic = (await new SNSClient(config).send(new CreateTopicCommand({ Name: 'alerts' }))).TopicArn;
  const args = ['alarm', 'create', '--cluster', CLUSTER, '--all-services', '--sns-topic', topic, '--yes'];

  const first = await recorded(args);
  const second = await recorded(args);
  const pages = (n, size) => Math.max(1, Math.ceil(n / size));
  result.note =
    'expectedOnAws counts pages as AWS sizes them; moto ignores ListServices maxResults and DescribeAlarms MaxRecords and answers in one page';
  result.firstRun = {
    ...first,
    expectedOnAws: {
      DescribeClusters: 1,
      ListServices: pages(SERVICES, 100),
      DescribeServices: pages(SERVICES, 10),
      DescribeAlarms: 1,
      GetTopicAttributes: 1,
      PutMetricAlarm: SERVICES,
    },
    // Writes are paced at CloudWatch's 3 TPS quota for PutMetricAlarm, so this is the floor on real AWS.
    pacingFloorMs: round(((SERVICES - 1) / 3) * 1000),
  };
  result.secondRun = {
    ...second,
    writes: (second.calls.PutMetricAlarm ?? 0) + (second.calls.TagResource ?? 0),
    expectedOnAws: {
      DescribeClusters: 1,
      ListServices: pages(SERVICES, 100),
      DescribeServices: pages(SERVICES, 10),
      DescribeAlarms: pages(SERVICES, 100),
      GetTopicAttributes: 1,
      PutMetricAlarm: 0,
    },
  };

  // The by-hand way: one `aws cloudwatch put-metric-alarm` per service with the same definition
  // (without tags, without reading anything, without idempotency). Sampled, then extrapolated.
  if (spawnSync('aws', ['--version']).status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'ecsops-bench-alarm-'));
    const script = names
      .slice(0, LOOP_SAMPLE)
      .map((service) => {
        const file = join(dir, `${service}.json`);
        // The same Metrics array ecsops sends, from the built core, so both sides write one definition.
        writeFileSync(
          file,
          JSON.stringify(planAlarmMetrics({ clusterName: CLUSTER, serviceName: service }, 60)),
        );
        return `aws cloudwatch put-metric-alarm --endpoint-url ${moto.endpoint} --alarm-name shell-${CLUSTER}-${service} --metrics file://${file} --comparison-operator LessThanThreshold --threshold 1 --evaluation-periods 3 --datapoints-to-alarm 2 --treat-missing-data ignore --alarm-actions ${topic} --ok-actions ${topic}`;
      })
      .join('\n');
    const loop = timeOnce('bash', ['-ec', script], env);
    rmSync(dir, { recursive: true, force: true });
    const perCall = loop.ms / LOOP_SAMPLE;
    result.shellLoop = {
      note: `sampled ${LOOP_SAMPLE} calls and extrapolated to ${SERVICES}; the loop is unpaced, untagged and rewrites every alarm on every run`,
      sampledCalls: LOOP_SAMPLE,
      sampledMs: round(loop.ms),
      msPerCall: round(perCall),
      extrapolatedMs: round(perCall * SERVICES),
      extrapolatedCalls: SERVICES,
      ecsopsFirstRunSpeedup: round((perCall * SERVICES) / first.ms, 2),
      ecsopsSecondRunSpeedup: round((perCall * SERVICES) / second.ms, 1),
    };
  } else {
    result.shellLoop = 'aws CLI not on PATH';
  }

  // Scale: the same cluster grows to each size; the plan (no writes) is timed and its peak RSS read.
  await ecs.send(
    new CreateClusterCommand({
      clusterName: SCALE_CLUSTER,
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    }),
  );
  const scaleArgs = [
    'alarm',
    'create',
    '--cluster',
    SCALE_CLUSTER,
    '--all-services',
    '--sns-topic',
    topic,
    '--dry-run',
  ];
  let created = 0;
  result.scale = {
    command: `ecsops ${scaleArgs.join(' ')}`,
    runsPerSize: SCALE_RUNS,
    rssFrom: existsSync('/usr/bin/time')
      ? '/usr/bin/time -v (Maximum resident set size)'
      : 'process.resourceUsage().maxRSS at exit',
    sizes: [],
  };
  for (const size of SCALE) {
    const more = Array.from(
      { length: size - created },
      (_, i) => `s-${String(created + i).padStart(4, '0')}`,
    );
    const pending = [...more];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let name = pending.shift(); name; name = pending.shift()) {
          // EC2 launch type: no awsvpc subnets; moto places no tasks without container instances.
          await ecs.send(
            new CreateServiceCommand({
              cluster: SCALE_CLUSTER,
              serviceName: name,
              taskDefinition: 'app',
              desiredCount: 1,
              launchType: 'EC2',
            }),
          );
        }
      }),
    );
    created = size;
    measureRun(scaleArgs); // warm-up: moto's first answers for a grown cluster are slower
    const runs = Array.from({ length: SCALE_RUNS }, () => measureRun(scaleArgs));
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    const previous = result.scale.sizes.at(-1);
    result.scale.sizes.push({
      services: size,
      exitCode: runs[0].code,
      medianMs: round(median),
      msPerService: round(median / size, 2),
      // The cost of each service added since the previous size: flat when growth is linear.
      marginalMsPerService: previous
        ? round((median - previous.medianMs) / (size - previous.services), 2)
        : undefined,
      peakRssMb: round(Math.max(...runs.map((r) => r.rssKb)) / 1024),
    });
  }
  const [smallest, largest] = [result.scale.sizes[0], result.scale.sizes.at(-1)];
  if (smallest && largest && largest !== smallest)
    result.scale.slopeMsPerService = round(
      (largest.medianMs - smallest.medianMs) / (largest.services - smallest.services),
      2,
    );
  result.scale.peakRssMbLargestRun = largest?.peakRssMb;
  result.scale.note =
    'msPerService includes the fixed cost of a run (start-up, cluster and topic reads), which dominates small runs; marginalMsPerService is the slope between sizes: roughly constant means linear growth, rising would mean quadratic';
} finally {
  await moto.stop();
}
console.log(JSON.stringify({ bench: 'alarm-create', ...result }, null, 2));

/** One run of the CLI: wall milliseconds, exit code and peak RSS in KiB. */
function measureRun(args) {
  const timeBin = '/usr/bin/time';
  const start = process.hrtime.bigint();
  const r = existsSync(timeBin)
    ? spawnSync(timeBin, ['-v', process.execPath, BIN, ...args], {
        env,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      })
    : spawnSync(
        process.execPath,
        [
          '--import',
          'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nMaximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n"))',
          BIN,
          ...args,
        ],
        { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`alarm create exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { ms, code: r.status, rssKb: rss ? Number(rss[1]) : Number.NaN };
}
