/**
 * Node's compile cache (module.enableCompileCache, Node >= 22.1), which src/cli/entry.ts turns on before
 * loading the program: used where the running Node has it, harmless where the folder cannot be written
 * (nothing written, same output), and never serving code that has changed. On Node 20 nothing is written.
 * `npm test` runs this file on Node 20, 22 and 24 (scripts/test-node-lines.mjs).
 */

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { copyPackage, runEcsops } from '../node-lines/spawn.js';

const hasCompileCache = typeof Reflect.get(nodeModule, 'enableCompileCache') === 'function';
// A usage error goes through main.ts and commander (the pre-rendered answers are not involved).
const USAGE = ['insihgts', '--json'];
const noCacheEnv = { NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];
}

describe(`compile cache on Node ${process.versions.node}`, () => {
  it(
    hasCompileCache ? 'is filled in os.tmpdir() and then used' : 'is not written (Node 20 has none)',
    async () => {
      const tmp = tempDir('ecsops-cc-');
      const reference = await runEcsops(USAGE, { env: { NODE_DISABLE_COMPILE_CACHE: '1', TMPDIR: tmp } });
      expect(reference.code).toBe(2);
      expect(JSON.parse(reference.stdout)).toMatchObject({ error: { exitCode: 2, type: 'UsageError' } });
      expect(filesUnder(tmp)).toEqual([]);

      const first = await runEcsops(USAGE, { env: { ...noCacheEnv, TMPDIR: tmp } });
      const written = filesUnder(join(tmp, 'node-compile-cache'));
      const second = await runEcsops(USAGE, { env: { ...noCacheEnv, TMPDIR: tmp } });
      expect(first).toEqual(reference);
      expect(second).toEqual(reference);
      if (hasCompileCache) expect(written.length).toBeGreaterThan(5);
      else expect(filesUnder(tmp)).toEqual([]);
    },
  );

  it.each([
    ['os.tmpdir() is a regular file', (file: string) => ({ TMPDIR: file, NODE_COMPILE_CACHE: undefined })],
    [
      'NODE_COMPILE_CACHE lies under a regular file',
      (file: string) => ({ NODE_COMPILE_CACHE: join(file, 'cache') }),
    ],
  ])('cannot be written (%s): same output, no warning, nothing written', async (_case, envFor) => {
    const tmp = tempDir('ecsops-cc-');
    const file = join(tmp, 'in-the-way');
    writeFileSync(file, '');
    const reference = await runEcsops(USAGE, { env: { NODE_DISABLE_COMPILE_CACHE: '1', TMPDIR: tmp } });
    const run = await runEcsops(USAGE, { env: { NODE_DISABLE_COMPILE_CACHE: undefined, ...envFor(file) } });
    expect(run).toEqual(reference);
    expect(readdirSync(tmp)).toEqual(['in-the-way']);
    expect(statSync(file).size).toBe(0);
  });

  it('a pre-rendered answer writes no cache', async () => {
    const tmp = tempDir('ecsops-cc-');
    const run = await runEcsops(['--help'], { env: { ...noCacheEnv, TMPDIR: tmp } });
    expect(run).toMatchObject({ code: 0, commander: false });
    expect(filesUnder(tmp)).toEqual([]);
  });

  it('never serves code that changed after it was cached', async () => {
    const tmp = tempDir('ecsops-cc-');
    const root = copyPackage();
    const bin = join(root, 'bin', 'ecsops.js');
    // --help through commander, so the description comes from the compiled dist/cli/program.js.
    const env = { ...noCacheEnv, TMPDIR: tmp, ECSOPS_NO_PRERENDERED_HELP: '1' };
    const before = await runEcsops(['--help'], { bin, env });
    expect(before.stdout).toContain('Operations for Amazon ECS');
    const program = join(root, 'dist', 'cli', 'program.js');
    writeFileSync(
      program,
      readFileSync(program, 'utf8').replace('Operations for Amazon ECS', 'CHANGED for ECS'),
    );
    const after = await runEcsops(['--help'], { bin, env });
    expect(after.stdout).toContain('CHANGED for ECS');
    expect(after.stdout).not.toContain('Operations for Amazon ECS');
  });
});
