// Real files in temp folders: the point of these functions is how they treat the file system.
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readTaskDefinitionText,
  resolveOutputTarget,
  writeTaskDefinitionFile,
} from '../../src/commands/task-definition-file.js';
import { parseTaskDefinition } from '../../src/core/task-definition/parse.js';
import { InputError, UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const ORIGINAL = '{\n  "family": "app",\n  "containerDefinitions": [{ "name": "app", "image": "a:1" }]\n}\n';
const UPDATED = '{\n  "family": "app",\n  "containerDefinitions": [{ "name": "app", "image": "a:2" }]\n}\n';
const BOM = '\uFEFF';

/** A temp folder holding `td.json` with ORIGINAL, mode `mode`. */
function setup(mode = 0o644): { dir: string; file: string } {
  const dir = realpathSync(tempDir('ecsops-tdfile-'));
  const file = join(dir, 'td.json');
  writeFileSync(file, ORIGINAL);
  chmodSync(file, mode);
  return { dir, file };
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const tempFilesIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('readTaskDefinitionText', () => {
  it.each([
    ['without a BOM', ORIGINAL, false],
    ['with a BOM', `${BOM}${ORIGINAL}`, true],
  ])('%s', async (_name, content, bom) => {
    const { file } = setup();
    writeFileSync(file, content);
    expect(await readTaskDefinitionText(file)).toEqual({ text: ORIGINAL, bom });
  });

  it('names the file it cannot read', async () => {
    const { dir } = setup();
    const missing = join(dir, 'missing.json');
    const error = await rejection(readTaskDefinitionText(missing));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(new RegExp(`^Cannot read ${missing}: ENOENT`));
  });

  it('a BOM file parses and is written back with exactly one BOM', async () => {
    const { file } = setup();
    writeFileSync(file, `${BOM}${ORIGINAL}`);
    const { text, bom } = await readTaskDefinitionText(file);
    expect(parseTaskDefinition(text, file).view.family).toBe('app');
    await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom });
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, '{'.charCodeAt(0)]);
    expect(bytes.toString('utf8')).toBe(`${BOM}${UPDATED}`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(`${BOM}${ORIGINAL}`);
  });
});

describe('resolveOutputTarget', () => {
  it.each<[string, (file: string, dir: string) => Parameters<typeof resolveOutputTarget>[0], string]>([
    ['no --out: stdout', (file) => ({ file, inPlace: false }), 'stdout'],
    ['no source file, no --out: stdout', () => ({ inPlace: false }), 'stdout'],
    ['--in-place', (file) => ({ file, inPlace: true }), 'in-place'],
    ['--out the same path', (file) => ({ file, out: file, inPlace: false }), 'in-place'],
    [
      '--out the same file spelt differently',
      (file, dir) => ({ file, out: join(dir, 'sub', '..', '.', 'td.json'), inPlace: false }),
      'in-place',
    ],
    [
      '--out relative, --file absolute',
      (file) => ({ file, out: relative(process.cwd(), file), inPlace: false }),
      'in-place',
    ],
    [
      '--out a symlink to --file',
      (file, dir) => {
        symlinkSync(file, join(dir, 'link.json'));
        return { file, out: join(dir, 'link.json'), inPlace: false };
      },
      'in-place',
    ],
    ['--out the same path with --in-place', (file) => ({ file, out: file, inPlace: true }), 'in-place'],
    ['--out another file', (file, dir) => ({ file, out: join(dir, 'new.json'), inPlace: false }), 'out'],
    [
      '--out from a registered revision',
      (_file, dir) => ({ out: join(dir, 'new.json'), inPlace: false }),
      'out',
    ],
  ])('%s', async (_name, options, expected) => {
    const { dir, file } = setup();
    mkdirSync(join(dir, 'sub'));
    const opts = options(file, dir);
    const target = await resolveOutputTarget(opts);
    if (expected === 'stdout') expect(target).toEqual({ kind: 'stdout' });
    else if (expected === 'in-place') expect(target).toEqual({ kind: 'file', path: file, inPlace: true });
    else expect(target).toEqual({ kind: 'file', path: opts.out, inPlace: false });
  });

  it.each<[string, (file: string, dir: string) => Parameters<typeof resolveOutputTarget>[0], string]>([
    ['--in-place without --file', () => ({ inPlace: true }), '--in-place needs --file.'],
    [
      '--in-place with --out another file',
      (file, dir) => ({ file, out: join(dir, 'new.json'), inPlace: true }),
      '--in-place and --out cannot be used together.',
    ],
  ])('%s is a usage error', async (_name, options, message) => {
    const { dir, file } = setup();
    const error = await rejection(resolveOutputTarget(options(file, dir)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(message);
  });
});

describe('writeTaskDefinitionFile', () => {
  it('replaces the file, keeps the original as .bak and leaves no temp file', async () => {
    const { dir, file } = setup();
    const result = await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    expect(result).toEqual({ written: file, backup: `${file}.bak` });
    expect(readFileSync(file, 'utf8')).toBe(UPDATED);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(ORIGINAL);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it('without backup makes no .bak', async () => {
    const { dir, file } = setup();
    expect(await writeTaskDefinitionFile(file, UPDATED, { backup: false, bom: false })).toEqual({
      written: file,
    });
    expect(readdirSync(dir)).toEqual(['td.json']);
  });

  it('creates a new --out file (no backup: nothing to back up)', async () => {
    const { dir } = setup();
    const out = join(dir, 'new.json');
    expect(await writeTaskDefinitionFile(out, UPDATED, { backup: true, bom: false })).toEqual({
      written: out,
    });
    expect(readFileSync(out, 'utf8')).toBe(UPDATED);
    expect(readdirSync(dir).sort()).toEqual(['new.json', 'td.json']);
  });

  it.each([
    [true, `${BOM}${UPDATED}`],
    [false, UPDATED],
  ])('bom %s', async (bom, expected) => {
    const { file } = setup();
    await writeTaskDefinitionFile(file, UPDATED, { backup: false, bom });
    expect(readFileSync(file, 'utf8')).toBe(expected);
    // Text that already starts with a BOM does not get a second one.
    await writeTaskDefinitionFile(file, `${BOM}${UPDATED}`, { backup: false, bom: true });
    expect(readFileSync(file, 'utf8')).toBe(`${BOM}${UPDATED}`);
  });

  // 0666 and 0755 would be narrowed by a 022 umask if the mode were not applied with fchmod.
  it.each([0o600, 0o640, 0o666, 0o755])('keeps mode %o on the file and its backup', async (mode) => {
    const { file } = setup(mode);
    await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    expect(modeOf(file).toString(8)).toBe(mode.toString(8));
    expect(modeOf(`${file}.bak`).toString(8)).toBe(mode.toString(8));
  });

  it.runIf(process.getuid?.() === 0)('keeps owner and group (as root)', async () => {
    const { file } = setup(0o600);
    chownSync(file, 1234, 5678);
    await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    for (const path of [file, `${file}.bak`]) {
      expect({ uid: statSync(path).uid, gid: statSync(path).gid }).toEqual({ uid: 1234, gid: 5678 });
    }
  });

  it('never follows a symlink planted at .bak: the victim is unchanged and .bak.1 is used', async () => {
    const { dir, file } = setup(0o600);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    chmodSync(victim, 0o644);
    symlinkSync(victim, `${file}.bak`);
    const result = await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    expect(result.backup).toBe(`${file}.bak.1`);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(modeOf(victim).toString(8)).toBe('644');
    expect(lstatSync(`${file}.bak`).isSymbolicLink()).toBe(true);
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe(ORIGINAL);
    expect(modeOf(`${file}.bak.1`).toString(8)).toBe('600');
  });

  it('never creates the target of a dangling symlink planted at .bak', async () => {
    const { dir, file } = setup();
    const planted = join(dir, 'planted.txt');
    symlinkSync(planted, `${file}.bak`);
    const result = await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    expect(result.backup).toBe(`${file}.bak.1`);
    expect(readdirSync(dir)).not.toContain('planted.txt');
  });

  it('takes the first free backup name and leaves older backups alone', async () => {
    const { file } = setup();
    writeFileSync(`${file}.bak`, 'first');
    writeFileSync(`${file}.bak.1`, 'second');
    const result = await writeTaskDefinitionFile(file, UPDATED, { backup: true, bom: false });
    expect(result.backup).toBe(`${file}.bak.2`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('first');
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe('second');
    expect(readFileSync(`${file}.bak.2`, 'utf8')).toBe(ORIGINAL);
  });

  it('writes through a symlink to its target; the link stays a link', async () => {
    const { dir, file } = setup(0o600);
    const linkDir = join(dir, 'checkout');
    mkdirSync(linkDir);
    const link = join(linkDir, 'td.json');
    symlinkSync(relative(linkDir, file), link);
    const result = await writeTaskDefinitionFile(link, UPDATED, { backup: true, bom: false });
    expect(result).toEqual({ written: file, backup: `${file}.bak` });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(relative(linkDir, file));
    expect(readFileSync(file, 'utf8')).toBe(UPDATED);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(ORIGINAL);
    expect(modeOf(file).toString(8)).toBe('600');
    expect(readdirSync(linkDir)).toEqual(['td.json']);
    expect(tempFilesIn(dir)).toEqual([]);
  });

  it.each<[string, (dir: string, file: string) => string, RegExp]>([
    [
      'the target folder is gone',
      (dir) => {
        const gone = join(dir, 'gone');
        mkdirSync(gone);
        rmSync(gone, { recursive: true });
        return join(gone, 'td.json');
      },
      /: ENOENT/,
    ],
    [
      'the target is a directory',
      (dir) => {
        mkdirSync(join(dir, 'dir.json'));
        return join(dir, 'dir.json');
      },
      /: not a regular file$/,
    ],
    [
      'the target is a symlink to a directory',
      (dir) => {
        mkdirSync(join(dir, 'real-dir'));
        symlinkSync(join(dir, 'real-dir'), join(dir, 'dir-link.json'));
        return join(dir, 'dir-link.json');
      },
      /: not a regular file$/,
    ],
    [
      'the target is a dangling symlink',
      (dir) => {
        symlinkSync(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
        return join(dir, 'dangling.json');
      },
      /: it is a symbolic link to a missing file$/,
    ],
    [
      // Fails after the temp file exists, so this one exercises the clean-up.
      'every backup name is taken',
      (_dir, file) => {
        writeFileSync(`${file}.bak`, 'old');
        for (let n = 1; n <= 99; n++) writeFileSync(`${file}.bak.${n}`, 'old');
        return file;
      },
      /: no free backup name: td\.json\.bak and \.bak\.1 to \.bak\.99 all exist; remove old backups$/,
    ],
  ])('fails cleanly when %s', async (_name, arrange, reason) => {
    const { dir, file } = setup();
    const target = arrange(dir, file);
    const before = readdirSync(dir).sort();
    const error = await rejection(writeTaskDefinitionFile(target, UPDATED, { backup: true, bom: false }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message.startsWith(`Cannot write ${target}: `)).toBe(true);
    expect(error.message).toMatch(reason);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(readdirSync(dir)).not.toContain('nowhere.json');
  });
});
