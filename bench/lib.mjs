// Shared helpers for `npm run bench`: a moto server on a free loopback port, the request recorder,
// and timing of whole commands. Benchmarks print numbers; they never fail a build on timing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/ecsops.js', import.meta.url));

export async function startMoto() {
  const python = process.env.ECSOPS_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import moto'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(`moto is required for the benchmarks: pip install 'moto[server]'\n${probe.stderr}`);
  const port = await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const cwd = mkdtempSync(join(tmpdir(), 'ecsops-bench-moto-'));
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    cwd,
    env: { ...process.env, MOTO_RECORDER_FILEPATH: join(cwd, 'recording.jsonl') },
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    async stop() {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      child.once('exit', () => rmSync(cwd, { recursive: true, force: true }));
    },
  };
}

export function cliEnv(endpoint) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs a command once; returns wall milliseconds and the exit status. */
export function timeOnce(cmd, args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Median wall time of `runs` runs after one warm-up. */
export function medianMs(cmd, args, env, runs = 7) {
  timeOnce(cmd, args, env);
  const times = Array.from({ length: runs }, () => timeOnce(cmd, args, env).ms).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function recorder(endpoint, action) {
  const r = await fetch(`${endpoint}/moto-api/recorder/${action}`, {
    method: action === 'download-recording' ? 'GET' : 'POST',
  });
  return r.text();
}

/** Counts recorded operations by name (`ecs:UpdateCluster` -> n). */
export async function countCalls(endpoint) {
  const text = await recorder(endpoint, 'download-recording');
  const counts = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
    let op = headers['x-amz-target']?.split('.').pop();
    if (!op) {
      const body = e.body_encoded ? Buffer.from(e.body ?? '', 'base64').toString() : (e.body ?? '');
      op = new URLSearchParams(body).get('Action') ?? '?';
    }
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

export const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
