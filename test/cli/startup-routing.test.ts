/**
 * Start-up, the edges of the pre-rendered answers (src/cli/entry.ts): argv shapes that are not exactly
 * `--version` or `<path> --help` reach commander, and so does every run when dist/help.json is missing,
 * stale or broken. These do not depend on the Node line; test/cli/startup.test.ts has those that do.
 */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NO_PRERENDERED_ENV, type PrerenderedHelp, prerenderedAnswer } from '../../src/cli/entry.js';
import { tempDir } from '../helpers/temp-dir.js';
import { copyPackage, ROOT, runCommander, runEcsops } from '../node-lines/spawn.js';

const helpFile = (root = ROOT) => join(root, 'dist', 'help.json');

describe('argv other than exactly --version or <path> --help', () => {
  it.each([
    [['--json', '--help']],
    [['--help', '--json']],
    [['insights', '--help', '--json']],
    [['--version', '--json']],
    [['-V', '-V']],
    [['insights', '--version']],
    [['insihgts', '--help']],
    [['constructor', '--help']],
    [['insights', 'status', 'extra', '--help']],
    [['help']],
    [['help', 'insights']],
    [[]],
  ])('%j reaches commander, with the same output as without pre-rendered answers', async (args) => {
    const [run, commander] = await Promise.all([runEcsops(args), runCommander(args)]);
    expect(run.commander).toBe(true);
    expect(run).toEqual(commander);
  });
});

describe('a copy of the package whose help file is', () => {
  it('intact: answered from the file (a marker put in it is printed)', async () => {
    const root = copyPackage();
    const help = JSON.parse(readFileSync(helpFile(root), 'utf8')) as PrerenderedHelp;
    writeFileSync(helpFile(root), JSON.stringify({ ...help, help: { ...help.help, insights: 'MARKER\n' } }));
    expect(await runEcsops(['insights', '--help'], { bin: join(root, 'bin', 'ecsops.js') })).toEqual({
      code: 0,
      stdout: 'MARKER\n',
      stderr: '',
      commander: false,
    });
  });

  it('as old as every input (npm pack gives every file one time): answered from the file', async () => {
    const root = copyPackage();
    const packTime = new Date('1985-10-26T08:15:00Z');
    const help = JSON.parse(readFileSync(helpFile(root), 'utf8')) as PrerenderedHelp;
    for (const [input] of help.inputs) utimesSync(join(root, 'dist', input), packTime, packTime);
    utimesSync(helpFile(root), packTime, packTime);
    const run = await runEcsops(['--help'], { bin: join(root, 'bin', 'ecsops.js') });
    expect(run).toMatchObject({ code: 0, stdout: help.help[''], commander: false });
  });

  it.each<[string, (root: string, help: PrerenderedHelp) => void]>([
    ['missing', (root) => rmSync(helpFile(root))],
    ['cut short', (root) => writeFileSync(helpFile(root), '{"schemaVersion":1,"inp')],
    [
      'of another schema',
      (root, help) => writeFileSync(helpFile(root), JSON.stringify({ ...help, schemaVersion: 2 })),
    ],
    [
      'without inputs',
      (root, help) => writeFileSync(helpFile(root), JSON.stringify({ ...help, inputs: [] })),
    ],
    [
      'older than a rebuilt module',
      (root) => {
        const later = new Date(Date.now() + 60_000);
        utimesSync(join(root, 'dist', 'cli', 'groups', 'insights.js'), later, later);
      },
    ],
    [
      'naming a module of another size',
      (root) => {
        const file = join(root, 'dist', 'cli', 'program.js');
        const before = new Date('2000-01-01T00:00:00Z');
        writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
        utimesSync(file, before, before);
      },
    ],
    [
      'naming a module that is gone',
      (root, help) =>
        writeFileSync(
          helpFile(root),
          JSON.stringify({ ...help, inputs: [...help.inputs, ['cli/gone.js', 1]] }),
        ),
    ],
  ])('%s: commander answers, as without the file', async (_state, breakIt) => {
    const root = copyPackage();
    const bin = join(root, 'bin', 'ecsops.js');
    const reference = await runCommander(['insights', '--help'], { bin });
    breakIt(root, JSON.parse(readFileSync(helpFile(root), 'utf8')) as PrerenderedHelp);
    const run = await runEcsops(['insights', '--help'], { bin });
    expect(run).toEqual(reference);
    expect(run.code).toBe(0);
  });

  it('older than package.json (version bumped, not rebuilt): --version is the new version', async () => {
    const root = copyPackage();
    const file = join(root, 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    writeFileSync(file, JSON.stringify({ ...pkg, version: '9.9.9' }, null, 2));
    const run = await runEcsops(['--version'], { bin: join(root, 'bin', 'ecsops.js') });
    expect(run).toEqual({ code: 0, stdout: '9.9.9\n', stderr: '', commander: true });
  });
});

describe('prerenderedAnswer', () => {
  const fs = { readFileSync, statSync };
  function helpFixture(overrides: Partial<PrerenderedHelp> = {}): URL {
    const dir = tempDir('ecsops-help-');
    writeFileSync(join(dir, 'input.js'), 'x');
    const help: PrerenderedHelp = {
      schemaVersion: 1,
      inputs: [['input.js', 1]],
      styled: false,
      version: '1.2.3\n',
      help: { '': 'ROOT\n', insights: 'INSIGHTS\n', 'insights status': 'STATUS\n' },
      ...overrides,
    };
    writeFileSync(join(dir, 'help.json'), JSON.stringify(help));
    return pathToFileURL(join(dir, 'help.json'));
  }
  const pipe = { isTTY: false, columns: undefined };

  it.each<
    [
      string,
      string[],
      { isTTY: boolean; columns: number | undefined },
      Record<string, string>,
      string | undefined,
    ]
  >([
    ['--version', ['--version'], pipe, {}, '1.2.3\n'],
    ['-V', ['-V'], pipe, {}, '1.2.3\n'],
    ['program --help', ['--help'], pipe, {}, 'ROOT\n'],
    ['group -h', ['insights', '-h'], pipe, {}, 'INSIGHTS\n'],
    ['command --help', ['insights', 'status', '--help'], pipe, {}, 'STATUS\n'],
    ['unknown command', ['insights', 'nope', '--help'], pipe, {}, undefined],
    ['inherited property name', ['constructor', '--help'], pipe, {}, undefined],
    ['option before --help', ['--debug', '--help'], pipe, {}, undefined],
    ['--help not last', ['--help', 'insights'], pipe, {}, undefined],
    ['no arguments', [], pipe, {}, undefined],
    ['80-column terminal', ['--help'], { isTTY: true, columns: 80 }, {}, 'ROOT\n'],
    [
      'terminal of unknown width (commander: 80)',
      ['--help'],
      { isTTY: true, columns: undefined },
      {},
      'ROOT\n',
    ],
    ['120-column terminal', ['--help'], { isTTY: true, columns: 120 }, {}, undefined],
    ['0-column terminal', ['--help'], { isTTY: true, columns: 0 }, {}, undefined],
    ['a pipe, whatever columns says', ['--help'], { isTTY: false, columns: 120 }, {}, 'ROOT\n'],
    ['turned off', ['--help'], pipe, { [NO_PRERENDERED_ENV]: '1' }, undefined],
  ])('%s', (_name, args, stdout, env, expected) => {
    expect(prerenderedAnswer(args, stdout, env, fs, helpFixture())).toBe(expected);
  });

  it.each<
    [string, { isTTY: boolean; columns: number | undefined }, Record<string, string>, string | undefined]
  >([
    ['a pipe', pipe, {}, 'ROOT\n'],
    ['an 80-column terminal', { isTTY: true, columns: 80 }, {}, undefined],
    ['FORCE_COLOR', pipe, { FORCE_COLOR: '1' }, undefined],
    ['CLICOLOR_FORCE', pipe, { CLICOLOR_FORCE: '' }, undefined],
  ])('help that commander styles is served only without colour: %s', (_name, stdout, env, expected) => {
    expect(prerenderedAnswer(['--help'], stdout, env, fs, helpFixture({ styled: true }))).toBe(expected);
  });
});
