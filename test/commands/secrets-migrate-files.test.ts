// `secrets migrate --in-place` / `--out` on real files through the built CLI, offline
// (--params-file): backups never follow a planted link, modes are kept, a symlinked file is written
// through to its target, `--out` naming the `--file` is in-place, and a UTF-8 BOM is accepted and kept.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = fileURLToPath(new URL('../../bin/ecsops.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/chamber-task-definition.json', import.meta.url));
const PARAMS = fileURLToPath(new URL('../../examples/web-prod-parameters.json', import.meta.url));
const ORIGINAL = readFileSync(EXAMPLE, 'utf8');
const BOM = '\uFEFF';

function migrate(args: string[]) {
  const r = spawnSync(
    process.execPath,
    [BIN, '--region', 'us-east-1', 'secrets', 'migrate', '--params-file', PARAMS, ...args],
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh folder with a copy of the example task definition as `web.json`. */
function workspace(): { dir: string; file: string } {
  const dir = tempDir('ecsops-migrate-files-');
  const file = join(dir, 'web.json');
  copyFileSync(EXAMPLE, file);
  return { dir, file };
}

const migrated = (text: string) => text.includes('"secrets"') && !text.includes('chamber');

beforeAll(() => {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('Run "npm run build" first: these tests spawn the built bin/ecsops.js');
  }
});

describe('secrets migrate --in-place / --out (built CLI, offline)', () => {
  it('#5: a symlink planted at FILE.bak is never followed: its target is untouched, the backup goes to FILE.bak.1', () => {
    const { dir, file } = workspace();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'do not touch\n');
    symlinkSync(victim, `${file}.bak`);
    const r = migrate(['--file', file, '--in-place']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(lstatSync(`${file}.bak`).isSymbolicLink()).toBe(true);
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe(ORIGINAL);
    expect(migrated(readFileSync(file, 'utf8'))).toBe(true);
    expect(r.stderr).toContain(`(original kept as ${file}.bak.1)`);
  });

  it('#6: the file mode is kept (0600 stays 0600), and the backup is no more readable than the original', () => {
    const { file } = workspace();
    chmodSync(file, 0o600);
    const r = migrate(['--file', file, '--in-place']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o600);
    expect(migrated(readFileSync(file, 'utf8'))).toBe(true);
  });

  it('#7: --in-place on a symlink writes through to its target; the link stays a link', () => {
    const { dir, file } = workspace();
    const link = join(dir, 'current.json');
    symlinkSync('web.json', link);
    const r = migrate(['--file', link, '--in-place']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('web.json');
    expect(migrated(readFileSync(file, 'utf8'))).toBe(true);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(ORIGINAL);
    expect(existsSync(`${link}.bak`)).toBe(false);
    expect(r.stderr).toContain(
      `Wrote ${link} (a symlink: wrote its target ${file}) (original kept as ${file}.bak).`,
    );
  });

  it('#8: --out naming the --file itself (any spelling) is an in-place rewrite with a backup', () => {
    const { dir, file } = workspace();
    const r = migrate([
      '--file',
      file,
      '--out',
      join(dir, '.', '..', dir.split('/').pop() ?? '', 'web.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(ORIGINAL);
    expect(migrated(readFileSync(file, 'utf8'))).toBe(true);
    expect(r.stdout).toBe('');
  });

  it('--out to another file writes it without touching --file, and without a backup', () => {
    const { dir, file } = workspace();
    const out = join(dir, 'new.json');
    const r = migrate(['--file', file, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(migrated(readFileSync(out, 'utf8'))).toBe(true);
    expect(existsSync(`${out}.bak`)).toBe(false);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'migrated', written: out, writtenFile: out });
  });

  it('#9: a UTF-8 BOM is accepted, kept on --in-place, and left off stdout', () => {
    const { file } = workspace();
    writeFileSync(file, `${BOM}${ORIGINAL}`);
    const printed = migrate(['--file', file]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout.startsWith('{')).toBe(true);
    expect(migrated(printed.stdout)).toBe(true);

    const r = migrate(['--file', file, '--in-place']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(BOM)).toBe(true);
    expect(migrated(text)).toBe(true);
    expect(JSON.parse(text.slice(1))).toEqual(JSON.parse(printed.stdout));
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(`${BOM}${ORIGINAL}`);
  });

  it('--dry-run --in-place writes nothing', () => {
    const { file } = workspace();
    const r = migrate(['--file', file, '--in-place', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(existsSync(`${file}.bak`)).toBe(false);
    expect(r.stderr).toContain(`Dry run: ${file} was not written.`);
  });

  it('a second --in-place run has nothing to do and leaves the file and its backup alone', () => {
    const { file } = workspace();
    expect(migrate(['--file', file, '--in-place']).code).toBe(0);
    const after = readFileSync(file, 'utf8');
    const r = migrate(['--file', file, '--in-place', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'nothing-to-do' });
    expect(readFileSync(file, 'utf8')).toBe(after);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(ORIGINAL);
    expect(existsSync(`${file}.bak.1`)).toBe(false);
  });

  it('#23: --wait-timeout is bounded (30 to 3600 s) and needs --wait: usage errors, exit 2', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, '--region', 'us-east-1', 'secrets', 'migrate', ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
      });
    const update = [
      '--task-def',
      'web',
      '--register',
      '--update-service',
      '--cluster',
      'c',
      '--service',
      's',
    ];
    const tooShort = run([...update, '--wait', '--wait-timeout', '5']);
    expect(tooShort.status).toBe(2);
    expect(tooShort.stderr).toContain('expected a whole number from 30 to 3600');
    const alone = run([...update, '--wait-timeout', '60']);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('--wait-timeout needs --wait.');
  });
});
