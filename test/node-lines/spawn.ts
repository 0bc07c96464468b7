/**
 * Spawning the built CLI for the start-up and Node-line tests: on the Node running the tests (the line
 * scripts/test-node-lines.mjs picked) or another one, with a probe that records whether commander was
 * loaded, and copies of the built package whose files a test may change.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'ecsops.js');

/** The Node line npm itself runs on (scripts/test-node-lines.mjs passes it); the comparisons' reference. */
export const REFERENCE_NODE = process.env.ECSOPS_REFERENCE_NODE ?? process.execPath;

export interface EcsopsRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether commander was loaded (that is, the answer did not come from dist/help.json). */
  commander: boolean;
}

export interface EcsopsOptions {
  env?: Record<string, string | undefined>;
  /** bin/ecsops.js of another copy of the package. */
  bin?: string;
  node?: string;
  /** Node options before the script, e.g. --no-experimental-require-module. */
  nodeArgs?: string[];
}

// Loaded with --import: appends "commander" to $ECSOPS_PROBE_FILE when anything requires commander
// (src/cli/commander.ts loads it with require).
const PROBE = `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
import Module from 'node:module';
const load = Module._load;
Module._load = function probe(request, ...rest) {
  if (request === 'commander') appendFileSync(process.env.ECSOPS_PROBE_FILE, 'commander\\n');
  return load.call(this, request, ...rest);
};`)}`;

/** Runs `ecsops ...args` with a clean environment (PATH, HOME and `env` only), stdout and stderr piped. */
export function runEcsops(args: readonly string[], options: EcsopsOptions = {}): Promise<EcsopsRun> {
  const probe = join(tempDir('ecsops-probe-'), 'loads.txt');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ECSOPS_PROBE_FILE: probe,
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const argv = [...(options.nodeArgs ?? []), '--import', PROBE, options.bin ?? BIN, ...args];
    const child = spawn(options.node ?? process.execPath, argv, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        commander: existsSync(probe) && readFileSync(probe, 'utf8').includes('commander'),
      }),
    );
  });
}

/** The same run answered by commander (the pre-rendered answers turned off). */
export function runCommander(args: readonly string[], options: EcsopsOptions = {}): Promise<EcsopsRun> {
  return runEcsops(args, { ...options, env: { ...options.env, ECSOPS_NO_PRERENDERED_HELP: '1' } });
}

/**
 * Runs `ecsops ...args` on a pseudo-terminal `columns` wide (util-linux `script`); returns what the
 * terminal showed and whether commander was loaded. Undefined when `script` is not installed.
 */
export function runOnTerminal(
  args: readonly string[],
  columns: number,
  env: Record<string, string> = {},
): EcsopsRun | undefined {
  if (spawnSync('script', ['--version']).status !== 0) return undefined;
  const probe = join(tempDir('ecsops-probe-'), 'loads.txt');
  const quoted = [process.execPath, '--import', PROBE, BIN, ...args].map(
    (a) => `'${a.replaceAll("'", "'\\''")}'`,
  );
  const r = spawnSync(
    'script',
    ['-q', '-e', '-c', `stty cols ${columns} rows 40; exec ${quoted.join(' ')}`, '/dev/null'],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TERM: 'xterm',
        ECSOPS_PROBE_FILE: probe,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    commander: existsSync(probe) && readFileSync(probe, 'utf8').includes('commander'),
  };
}

/**
 * A copy of the built package (bin/, dist/, package.json; node_modules linked) with the files' times
 * kept, so a test can change, age or remove files. Returns the copy's root.
 */
export function copyPackage(): string {
  const root = tempDir('ecsops-package-');
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(ROOT, part), join(root, part), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** Every command path of the built program ('' is the program itself), in registration order. */
export async function commandPaths(): Promise<string[]> {
  interface CommandLike {
    name(): string;
    commands: readonly CommandLike[];
  }
  const programModule = join(ROOT, 'dist', 'cli', 'program.js');
  const { createProgram } = (await import(programModule)) as {
    createProgram(deps: { version: string; run: () => Promise<number> }): CommandLike;
  };
  const paths: string[] = [];
  const walk = (command: CommandLike, prefix: string[]) => {
    paths.push(prefix.join(' '));
    for (const sub of command.commands) walk(sub, [...prefix, sub.name()]);
  };
  walk(createProgram({ version: '0.0.0', run: async () => 0 }), []);
  return paths;
}

/** `ecsops <path>` as argv words. */
export function words(path: string): string[] {
  return path === '' ? [] : path.split(' ');
}
