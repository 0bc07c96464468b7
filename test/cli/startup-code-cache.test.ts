/**
 * The code cache that src/cli/code-cache.ts keeps for CommonJS packages where Node has no compile cache
 * of its own (Node 20): filled once, then used without rewriting; the same output either way; never
 * used for a source that changed; a corrupt file is replaced; an unwritable folder gets nothing.
 */

import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { copyPackage, ROOT, runEcsops } from '../node-lines/spawn.js';

const nodeHasCompileCache = typeof Reflect.get(nodeModule, 'enableCompileCache') === 'function';
// Loads the ECS client (CommonJS) and fails fast: nothing listens on port 9.
const STATUS = [
  'insights',
  'status',
  '--json',
  '--region',
  'us-east-1',
  '--endpoint-url',
  'http://127.0.0.1:9',
  '--max-attempts',
  '1',
];
const credentials = {
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
  NODE_DISABLE_COMPILE_CACHE: undefined,
};

function cacheFiles(cacheHome: string): string[] {
  const dir = join(cacheHome, 'ecsops');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe.skipIf(nodeHasCompileCache)(`code cache on Node ${process.versions.node}`, () => {
  it('is written once, then used: the same output as without it', async () => {
    const cacheHome = tempDir('ecsops-xdg-');
    const env = { ...credentials, XDG_CACHE_HOME: cacheHome };
    const reference = await runEcsops(STATUS, { env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } });
    expect(reference.code).toBe(3);
    expect(cacheFiles(cacheHome)).toEqual([]);

    const first = await runEcsops(STATUS, { env });
    const [file, ...others] = cacheFiles(cacheHome);
    expect(others).toEqual([]);
    expect(file).toMatch(
      new RegExp(`^code-cache-\\d+\\.\\d+\\.\\d+-node${process.versions.node}-v8-.+\\.bin$`),
    );
    const path = join(cacheHome, 'ecsops', String(file));
    const written = statSync(path);
    expect(written.size).toBeGreaterThan(100_000);

    const second = await runEcsops(STATUS, { env });
    expect(first).toEqual(reference);
    expect(second).toEqual(reference);
    // Everything came from the cache, so it was not rewritten.
    expect(statSync(path).mtimeMs).toBe(written.mtimeMs);
  });

  it('a corrupt cache file is not used, and is replaced', async () => {
    const cacheHome = tempDir('ecsops-xdg-');
    const env = { ...credentials, XDG_CACHE_HOME: cacheHome };
    const reference = await runEcsops(STATUS, { env });
    const path = join(cacheHome, 'ecsops', String(cacheFiles(cacheHome)[0]));
    const bytes = readFileSync(path);
    // Flip bytes in the middle of the V8 data, keeping the header and the length.
    for (let i = bytes.length - 5000; i < bytes.length - 4000; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    expect(await runEcsops(STATUS, { env })).toEqual(reference);
    expect(readFileSync(path).equals(bytes)).toBe(false);
    expect(await runEcsops(STATUS, { env })).toEqual(reference);
  });

  it.each([
    ['XDG_CACHE_HOME is a regular file', (file: string) => file],
    ['XDG_CACHE_HOME lies under a regular file', (file: string) => join(file, 'cache')],
  ])('cannot be written (%s): same output, nothing written', async (_case, cacheHomeFor) => {
    const tmp = tempDir('ecsops-xdg-');
    const file = join(tmp, 'in-the-way');
    writeFileSync(file, '');
    const reference = await runEcsops(STATUS, { env: { ...credentials, NODE_DISABLE_COMPILE_CACHE: '1' } });
    const run = await runEcsops(STATUS, { env: { ...credentials, XDG_CACHE_HOME: cacheHomeFor(file) } });
    expect(run).toEqual(reference);
    expect(readdirSync(tmp)).toEqual(['in-the-way']);
    expect(statSync(file).size).toBe(0);
  });

  it('a package whose source changed is compiled from the new source, not served from the cache', async () => {
    // A package copy with its own commander; every other package linked.
    const root = copyPackage();
    const modules = join(root, 'node_modules-own');
    mkdirSync(modules);
    for (const name of readdirSync(join(ROOT, 'node_modules')))
      if (name !== 'commander') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    cpSync(join(ROOT, 'node_modules', 'commander'), join(modules, 'commander'), { recursive: true });
    const link = join(root, 'node_modules');
    rmSync(link);
    renameSync(modules, link);

    const cacheHome = tempDir('ecsops-xdg-');
    const bin = join(root, 'bin', 'ecsops.js');
    // --help through commander: the help option's description comes from commander's command.js.
    const env = { ...credentials, XDG_CACHE_HOME: cacheHome, ECSOPS_NO_PRERENDERED_HELP: '1' };
    const before = await runEcsops(['--help'], { bin, env });
    expect(before.stdout).toContain('display help for command');
    expect(cacheFiles(cacheHome)).toHaveLength(1);
    const help = join(link, 'commander', 'lib', 'command.js');
    // Same length, different code: V8's own check (which looks at the length) would not notice.
    writeFileSync(
      help,
      readFileSync(help, 'utf8').replaceAll('display help for command', 'DISPLAY HELP FOR COMMAND'),
    );
    const after = await runEcsops(['--help'], { bin, env });
    expect(after.stdout).toContain('DISPLAY HELP FOR COMMAND');
  });
});
