/**
 * Start-up: `--version`, `--help` and `<command> --help` are answered from dist/help.json
 * (src/cli/entry.ts) with exactly the bytes commander prints, on pipes and on terminals 80 columns wide,
 * and by commander itself on other terminals. `npm test` runs this file on Node 20, 22 and 24; the
 * edges (other argv, a missing or stale file) are in startup-routing.test.ts.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_PRERENDERED_ENV, type PrerenderedHelp } from '../../src/cli/entry.js';
import {
  commandPaths,
  copyPackage,
  ROOT,
  runCommander,
  runEcsops,
  runOnTerminal,
  words,
} from '../node-lines/spawn.js';

const helpFile = (root = ROOT) => join(root, 'dist', 'help.json');
let paths: string[] = [];

beforeAll(async () => {
  paths = await commandPaths();
});

describe('pre-rendered answers', () => {
  it('cover every command path of the program', async () => {
    const help = JSON.parse(readFileSync(helpFile(), 'utf8')) as PrerenderedHelp;
    expect(Object.keys(help.help)).toEqual(paths);
  });

  it('are commander’s own output, byte for byte, for every command path, --version and -V', async () => {
    const cases = [
      ['--version'],
      ['-V'],
      ...paths.flatMap((p) => [
        [...words(p), '--help'],
        [...words(p), '-h'],
      ]),
    ];
    await inBatches(cases, 6, async (args) => {
      const [fast, commander] = await Promise.all([runEcsops(args), runCommander(args)]);
      expect(commander, `commander answers ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
      expect(commander.commander).toBe(true);
      expect(fast, `ecsops ${args.join(' ')}`).toEqual({ ...commander, commander: false });
    });
  });
});

describe('bin/ecsops.js', () => {
  it.each([[['--help']], [['insihgts', '--json']]])(
    'where require() cannot load ES modules (Node 22.0-22.11), imports the entry instead: %j',
    async (args) => {
      const nodeArgs = ['--no-experimental-require-module'];
      const [run, reference] = await Promise.all([runEcsops(args, { nodeArgs }), runEcsops(args)]);
      expect(run).toEqual(reference);
      expect(run.code).toBe(args[0] === '--help' ? 0 : 2);
    },
  );
});

describe('a package whose node_modules is a symlink (pnpm, npm link)', () => {
  it('loads its dependencies from their real paths, once, with stdout a pipe', async () => {
    const bin = join(copyPackage(), 'bin', 'ecsops.js');
    // No code cache either: reading its file would hide the problem this guards against.
    const run = await runEcsops(['insihgts'], {
      bin,
      env: { NODE_DEBUG: 'module', NODE_DISABLE_COMPILE_CACHE: '1' },
    });
    expect(run.code).toBe(2);
    const loads = [...run.stderr.matchAll(/load "([^"]*commander[/\\]index\.js)"/g)].map((m) => m[1]);
    expect(loads).toEqual([join(realpathSync(join(ROOT, 'node_modules')), 'commander', 'index.js')]);
  });
});

describe('terminals', () => {
  it.each([80, 120, 60])('on a %i-column terminal --help is what commander prints there', (columns) => {
    const run = runOnTerminal(['--help'], columns);
    if (!run) return expect.fail('util-linux `script` is needed for this test');
    const commander = runOnTerminal(['--help'], columns, { [NO_PRERENDERED_ENV]: '1' });
    expect(run.code).toBe(0);
    expect({ ...run, commander: true }).toEqual(commander);
    // Only at 80 columns is commander's layout the pre-rendered one.
    expect(run.commander).toBe(columns !== 80);
    // The wider terminal really gets a wider layout than the pre-rendered 80 columns.
    const longest = Math.max(...run.stdout.split(/\r?\n/).map((line) => line.length));
    if (columns === 120) expect(longest).toBeGreaterThan(80);
  });
});

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
