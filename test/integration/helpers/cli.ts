/** Spawns the built CLI (bin/ecsops.js) against moto, as a user's shell would. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { motoEndpoint } from './moto.js';

export const BIN = fileURLToPath(new URL('../../../bin/ecsops.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type CliEnv = Record<string, string | undefined>;

/**
 * Spawns `ecsops ...args` with test credentials, us-east-1 and AWS_ENDPOINT_URL set to moto, the
 * host's AWS config kept out, `env` on top (undefined removes a variable); stdin, stdout and stderr
 * are pipes (no TTY). `result` settles when the child has exited and its output is read.
 */
function spawnCli(
  args: readonly string[],
  extraEnv: CliEnv = {},
): { child: ChildProcessWithoutNullStreams; result: Promise<CliResult> } {
  const env: CliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: motoEndpoint(),
    // Keep the host's AWS config out of the run.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extraEnv,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, result };
}

/** Runs `ecsops ...args` with test credentials, us-east-1 and AWS_ENDPOINT_URL set to moto; no TTY. */
export function runCli(
  args: readonly string[],
  options: { env?: CliEnv; input?: string } = {},
): Promise<CliResult> {
  const { child, result } = spawnCli(args, options.env);
  child.stdin.end(options.input ?? '');
  return result;
}

export interface InterruptOptions {
  /** Sent as `--endpoint-url <endpoint>` before `args` (e.g. the fault proxy); default: moto, as runCli. */
  endpoint?: string;
  /** When to interrupt: this many ms after the start, or once `when()` holds (polled every 20 ms). */
  when: number | (() => boolean);
  /** A further wait after `when` before the signal. */
  delayMs?: number;
  env?: CliEnv;
}

/**
 * Runs the CLI as runCli does (empty stdin) and presses Ctrl-C once: exactly one SIGINT, since a
 * second one means "quit now". Returns the result and the time the signal was sent (Infinity if the
 * CLI exited first).
 */
export async function runCliInterrupted(
  args: readonly string[],
  options: InterruptOptions,
): Promise<CliResult & { signalledAt: number }> {
  const { when, delayMs = 0 } = options;
  const { child, result } = spawnCli(
    options.endpoint === undefined ? args : ['--endpoint-url', options.endpoint, ...args],
    options.env,
  );
  let signalledAt = Number.POSITIVE_INFINITY;
  let poll: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  const interrupt = () => {
    timer = undefined;
    if (signalledAt !== Number.POSITIVE_INFINITY || child.exitCode !== null || child.signalCode !== null)
      return;
    signalledAt = Date.now();
    child.kill('SIGINT');
  };
  if (typeof when === 'number') {
    timer = setTimeout(interrupt, when + delayMs);
  } else {
    poll = setInterval(() => {
      if (!when()) return;
      clearInterval(poll);
      poll = undefined;
      if (delayMs > 0) timer = setTimeout(interrupt, delayMs);
      else interrupt();
    }, 20);
  }
  child.stdin.end();
  try {
    return { ...(await result), signalledAt };
  } finally {
    clearInterval(poll);
    clearTimeout(timer);
  }
}

/** Parses stdout as the single JSON document --json promises (fails the test otherwise). */
export function parseJsonDocument(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}
