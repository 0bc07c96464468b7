// The Node.js release lines ecsops is tested on besides the one running npm: each installed on first
// use from the npm registry's `node` package into a cache outside the repository, and reused after.
//   ECSOPS_TEST_NODE_LINES   majors to use (default "22,24"; "" for none)
//   ECSOPS_TEST_NODE_CACHE   the cache folder (default $XDG_CACHE_HOME/ecsops-test-node or ~/.cache/...)
// Delete the cache folder to pick up newer releases of a line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_LINES = ['22', '24'];

export function nodeLines() {
  const value = process.env.ECSOPS_TEST_NODE_LINES;
  if (value === undefined) return DEFAULT_LINES;
  return value
    .split(',')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function cacheDir() {
  return (
    process.env.ECSOPS_TEST_NODE_CACHE ??
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ecsops-test-node')
  );
}

/** `node` of release line `major` (e.g. "22"): from the cache, or installed into it now. */
export function ensureNodeLine(major, log = (line) => process.stderr.write(`${line}\n`)) {
  if (!/^\d+$/.test(major)) throw new Error(`node-lines: "${major}" is not a Node.js major version`);
  const dir = join(cacheDir(), `node${major}`);
  const bin = nodeBinIn(dir);
  if (versionOf(bin, major)) return bin;
  mkdirSync(cacheDir(), { recursive: true });
  // Installed beside the final folder and renamed into place, so a run that is interrupted, or two
  // runs at once, never leave a half-installed line behind.
  const temp = mkdtempSync(join(cacheDir(), `.node${major}-`));
  try {
    log(`node-lines: installing node@${major} from the npm registry into ${dir}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const install = spawnSync(
      npm,
      ['install', '--prefix', temp, '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (install.status !== 0)
      throw new Error(`node-lines: npm install node@${major} failed:\n${install.stderr || install.error}`);
    const version = versionOf(nodeBinIn(temp), major);
    if (!version) throw new Error(`node-lines: node@${major} installed, but its binary does not run`);
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(temp, dir);
    } catch (error) {
      // Another run installed it meanwhile.
      if (!versionOf(bin, major)) throw error;
    }
    log(`node-lines: node ${version}`);
    return bin;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function nodeBinIn(prefix) {
  return join(prefix, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
}

/** The binary's version when it exists, runs and is of line `major`; otherwise undefined. */
function versionOf(bin, major) {
  if (!existsSync(bin)) return undefined;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const version = r.status === 0 ? r.stdout.trim() : '';
  return version.startsWith(`v${major}.`) ? version : undefined;
}
