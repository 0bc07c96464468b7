/**
 * Starts moto server on a free 127.0.0.1 port for the integration project and stops it afterwards.
 * moto is required: if it is missing the run fails here, naming the fix, instead of passing silently.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let server: ChildProcess | undefined;
let serverDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const python = process.env.ECSOPS_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import moto, flask; print(moto.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    throw new Error(
      `The integration tests need moto server, and "${python} -c 'import moto'" failed:\n${probe.stderr || probe.error}\n` +
        `Fix: pip install 'moto[server]'   (or point ECSOPS_PYTHON at a Python that has it)`,
    );
  }
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('The integration tests run the built CLI: run "npm run build" first (npm test does).');
  }
  const port = await freePort();
  // Run from an empty folder: `python -m` puts the cwd on sys.path, and a ./moto folder would shadow moto.
  const cwd = mkdtempSync(join(tmpdir(), 'ecsops-moto-'));
  serverDir = cwd;
  server = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    cwd,
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      MOTO_RECORDER_FILEPATH: join(cwd, 'recording.jsonl'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`moto server exited early (${server.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto server did not start within 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  project.provide('motoEndpoint', endpoint);
}

export async function teardown(): Promise<void> {
  await stopServer();
  if (serverDir) rmSync(serverDir, { recursive: true, force: true });
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  // Werkzeug sometimes needs a second SIGINT; then stop waiting politely.
  const second = setTimeout(() => child.kill('SIGINT'), 1_000);
  const last = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(second);
  clearTimeout(last);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
