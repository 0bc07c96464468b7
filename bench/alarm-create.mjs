// Benchmark for `ecsops alarm create --all-services` over many services in moto (issue: API calls and
// wall time, vs a shell loop of `aws cloudwatch put-metric-alarm`). Prints a JSON summary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
} finally {
  await moto.stop();
}
console.log(JSON.stringify({ bench: 'alarm-create', ...result }, null, 2));
