// Benchmarks for `ecsops insights` at scale (cold start: bench/startup.mjs). Prints a JSON summary.
import { spawnSync } from 'node:child_process';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { BIN, cliEnv, countCalls, recorder, round, startMoto, timeOnce } from './lib.mjs';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 300);
const LOOP_SAMPLE = 20;
const moto = await startMoto();
const env = cliEnv(moto.endpoint);
const result = {};
try {
  // Cold start and `insights status` vs the AWS CLI are measured per Node line in bench/startup.mjs.
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  // Scale: N clusters, a third already enabled.
  const names = Array.from({ length: CLUSTERS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const enabled = Number(name.slice(-3)) % 3 === 0;
        await ecs.send(
          new CreateClusterCommand({
            clusterName: name,
            settings: enabled ? [{ name: 'containerInsights', value: 'enabled' }] : undefined,
          }),
        );
      }
    }),
  );
  const needing = names.filter((n) => Number(n.slice(-3)) % 3 !== 0).length;
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  const first = timeOnce(process.execPath, [BIN, 'insights', 'enable', '--all', '--yes'], env);
  await recorder(moto.endpoint, 'stop-recording');
  const firstCalls = await countCalls(moto.endpoint);
  await recorder(moto.endpoint, 'reset-recording');
  await recorder(moto.endpoint, 'start-recording');
  const second = timeOnce(process.execPath, [BIN, 'insights', 'enable', '--all', '--yes'], env);
  await recorder(moto.endpoint, 'stop-recording');
  const secondCalls = await countCalls(moto.endpoint);
  const pages = Math.ceil(CLUSTERS / 100);
  result.scale = {
    clusters: CLUSTERS,
    needingChange: needing,
    firstRun: {
      ms: round(first.ms),
      calls: firstCalls,
      minimum: { ListClusters: pages, DescribeClusters: pages, UpdateCluster: needing },
    },
    secondRun: {
      ms: round(second.ms),
      calls: secondCalls,
      writes: (secondCalls.UpdateCluster ?? 0) + (secondCalls.PutAccountSettingDefault ?? 0),
    },
  };

  // The by-hand way: a shell loop of one AWS CLI call per cluster. moto lacks UpdateClusterSettings,
  // so the loop uses update-cluster --settings (the same request ecsops sends). Sampled, then extrapolated.
  const hasAws = spawnSync('aws', ['--version']).status === 0;
  if (hasAws) {
    const sample = names.slice(0, LOOP_SAMPLE);
    const script = `for c in ${sample.join(' ')}; do aws ecs update-cluster --cluster "$c" --settings name=containerInsights,value=enhanced --endpoint-url ${moto.endpoint} >/dev/null; done`;
    const loop = timeOnce('bash', ['-c', script], env);
    const perCall = loop.ms / LOOP_SAMPLE;
    result.scale.shellLoop = {
      sampledCalls: LOOP_SAMPLE,
      msPerCall: round(perCall),
      extrapolatedMsFor: { clusters: needing, ms: round(perCall * needing) },
      ecsopsSpeedup: round((perCall * needing) / first.ms, 1),
    };
  }
} finally {
  await moto.stop();
}
console.log(JSON.stringify({ bench: 'insights', ...result }, null, 2));
