// Cold start on each Node line (issue: start-up): `ecsops --help`, `--version` and `insights --help`
// against `node -e 0` on the same line, and `ecsops insights status` against the AWS CLI's
// `aws ecs describe-clusters --clusters a b c --include SETTINGS`, both against moto with 3 clusters.
// Each ratio comes from interleaved pairs (A B A B ...), the median of the per-pair ratios, so drift in
// the machine's speed during the run cancels out. Node 22 and 24 come from scripts/node-lines.mjs (the
// npm registry's `node` package, cached outside the repository). Prints a JSON summary.
import { spawnSync } from 'node:child_process';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ensureNodeLine, nodeLines } from '../scripts/node-lines.mjs';
import { BIN, cliEnv, round, startMoto } from './lib.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const STATUS_RUNS = Number(process.env.BENCH_STATUS_RUNS ?? 11);

const lines = [
  { line: process.versions.node, node: process.execPath },
  ...nodeLines().map((major) => {
    const node = ensureNodeLine(major);
    return { line: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim().slice(1), node };
  }),
];
const moto = await startMoto();
const env = cliEnv(moto.endpoint);
const result = { bench: 'startup', runs: { help: RUNS, status: STATUS_RUNS }, lines: {} };
try {
  const ecs = new ECSClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const name of ['a', 'b', 'c']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const aws = [
    'aws',
    [
      'ecs',
      'describe-clusters',
      '--clusters',
      'a',
      'b',
      'c',
      '--include',
      'SETTINGS',
      '--endpoint-url',
      moto.endpoint,
    ],
  ];
  const hasAws = spawnSync('aws', ['--version']).status === 0;

  for (const { line, node } of lines) {
    const bare = [node, ['-e', '0']];
    const out = {};
    for (const [name, args] of [
      ['--help', ['--help']],
      ['--version', ['--version']],
      ['insights --help', ['insights', '--help']],
    ]) {
      const pair = pairs([node, [BIN, ...args]], bare, env, RUNS);
      out[name] = { ms: pair.aMs, nodeMs: pair.bMs, ratio: pair.ratio, goal: '<= 1.3' };
    }
    if (hasAws) {
      const pair = pairs(aws, [node, [BIN, 'insights', 'status']], env, STATUS_RUNS);
      out['insights status'] = {
        ms: pair.bMs,
        awsCliMs: pair.aMs,
        awsCliOverEcsops: pair.ratio,
        goal: '>= 3',
      };
    } else {
      out['insights status'] = 'aws CLI not on PATH';
    }
    result.lines[`node ${line}`] = out;
    console.error(`bench/startup: node ${line} done`);
  }
} finally {
  await moto.stop();
}
console.log(JSON.stringify(result, null, 2));

/**
 * Runs A and B in turn, `runs` times each after one warm-up of each (which also fills Node's compile
 * cache where the line has one); returns their median wall times and the median of the A/B ratios.
 */
function pairs([aCmd, aArgs], [bCmd, bArgs], env, runs) {
  once(aCmd, aArgs, env);
  once(bCmd, bArgs, env);
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const ta = once(aCmd, aArgs, env);
    const tb = once(bCmd, bArgs, env);
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  return { aMs: round(median(a)), bMs: round(median(b)), ratio: round(median(ratios), 2) };
}

function once(cmd, args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}
