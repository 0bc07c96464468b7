/**
 * Reading and writing task-definition files for `--file`, `--out` and `--in-place`: a UTF-8 BOM is
 * kept, writes are atomic (temp file + rename), and neither the temp file nor the backup ever
 * follows or reuses a path someone else planted.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, lstat, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { describeError } from './describe-error.js';

const BOM = '\uFEFF';

/** After `TARGET.bak` and `TARGET.bak.1` … `.bak.99` are all taken, writing with a backup fails. */
const MAX_BACKUP_SUFFIX = 99;

/** Where the rewritten task definition goes. */
export type OutputTarget = { kind: 'stdout' } | { kind: 'file'; path: string; inPlace: boolean };

/** The local-output flags of a task-definition command. */
export interface OutputTargetOptions {
  /** `--file PATH`, the source. */
  file?: string | undefined;
  /** `--out PATH`. */
  out?: string | undefined;
  /** `--in-place`. */
  inPlace: boolean;
}

/** What writeTaskDefinitionFile wrote: the file actually replaced and the backup it made, if any. */
export interface WrittenTaskDefinitionFile {
  written: string;
  backup?: string;
}

/** Reads a task-definition file as UTF-8, stripping a leading BOM and remembering it for the write-back. */
export async function readTaskDefinitionText(path: string): Promise<{ text: string; bom: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read ${path}: ${describeError(error)}`);
  }
  return text.startsWith(BOM) ? { text: text.slice(BOM.length), bom: true } : { text, bom: false };
}

/**
 * Where output goes: stdout without `--out`/`--in-place`; `--out` naming the `--file` itself (same
 * resolved path, or the same file once symlinks are resolved) counts as in-place, so a backup is kept.
 */
export async function resolveOutputTarget(options: OutputTargetOptions): Promise<OutputTarget> {
  const { file, out, inPlace } = options;
  if (inPlace && file === undefined) throw new UsageError('--in-place needs --file.');
  if (out === undefined)
    return inPlace ? { kind: 'file', path: file as string, inPlace: true } : { kind: 'stdout' };
  if (file !== undefined && (await isSameFile(file, out))) return { kind: 'file', path: file, inPlace: true };
  if (inPlace) throw new UsageError('--in-place and --out cannot be used together.');
  return { kind: 'file', path: out, inPlace: false };
}

async function isSameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    // One of them does not exist (a new --out file), so they cannot be the same file.
    return false;
  }
}

/**
 * Atomically replaces `target` with `text` (plus a BOM when `opts.bom`). Semantics:
 * - a symlink `target` is resolved (fs.realpath) and its final target is replaced; the link stays a
 *   link and `written` is the resolved path. A dangling symlink is refused rather than followed.
 *   An existing target that is not a regular file (a directory, a device, a FIFO) is refused.
 * - the new content goes to a temp file in the resolved target's folder, created exclusively
 *   (`open(..., 'wx')`: O_CREAT|O_EXCL never follows or reuses an existing path), given the original
 *   file's mode with fchmod (umask would narrow it) and, where permitted, its owner and group with
 *   fchown (EPERM and EINVAL are ignored), fsynced, then renamed over the target. A new file gets
 *   the default mode (0666 less the umask).
 * - with `opts.backup` and an existing target, the original bytes are first copied to
 *   `RESOLVED.bak`, or to the first free `RESOLVED.bak.1`, `.bak.2` … when that name is taken by
 *   anything, symlinks included (each candidate is created with the same exclusive open, so a
 *   planted link is never followed). The backup gets the original mode and owner too.
 * - no existing file is ever chmod-ed or chown-ed: only the new temp and backup files are.
 * - on any failure the temp file (and a backup made by this call) is removed, the target is left as
 *   it was, and an InputError "Cannot write TARGET: reason" is thrown.
 */
export async function writeTaskDefinitionFile(
  target: string,
  text: string,
  opts: { backup: boolean; bom: boolean },
): Promise<WrittenTaskDefinitionFile> {
  const fail = (reason: unknown): InputError =>
    new InputError(`Cannot write ${target}: ${typeof reason === 'string' ? reason : describeError(reason)}`);
  const resolved = await resolveWriteTarget(target).catch((error: unknown) => {
    throw fail(error);
  });
  const original = await stat(resolved).catch((error: unknown) => {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw fail(error);
  });
  if (original !== undefined && !original.isFile()) throw fail('not a regular file');
  const owner =
    original === undefined
      ? undefined
      : { mode: original.mode & 0o7777, uid: original.uid, gid: original.gid };

  const content = opts.bom && !text.startsWith(BOM) ? `${BOM}${text}` : text;
  const tmp = join(dirname(resolved), `.${basename(resolved)}.${randomBytes(6).toString('hex')}.tmp`);
  let tmpCreated = false;
  let backup: string | undefined;
  try {
    // 0600 until fchmod applies the original mode, so the new content is never more exposed.
    const handle = await open(tmp, 'wx', owner === undefined ? 0o666 : 0o600);
    tmpCreated = true;
    await writeAndClose(handle, content, owner);
    if (opts.backup && owner !== undefined) {
      const bytes = await readFile(resolved);
      const made = await createBackup(resolved);
      backup = made.path;
      await writeAndClose(made.handle, bytes, owner);
    }
    await rename(tmp, resolved);
    tmpCreated = false;
  } catch (error) {
    if (tmpCreated) await rm(tmp, { force: true });
    if (backup !== undefined) await rm(backup, { force: true });
    throw fail(error);
  }
  return backup === undefined ? { written: resolved } : { written: resolved, backup };
}

// A symlink is followed to its final target; anything else (including a missing path) is used as given.
async function resolveWriteTarget(target: string): Promise<string> {
  const link = await lstat(target).catch((error: unknown) => {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (link === undefined || !link.isSymbolicLink()) return target;
  try {
    return await realpath(target);
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) throw new Error('it is a symbolic link to a missing file');
    throw error;
  }
}

// `.bak`, then `.bak.1` …: lstat skips names known to be taken, and the exclusive open settles races.
async function createBackup(resolved: string): Promise<{ path: string; handle: FileHandle }> {
  for (let n = 0; n <= MAX_BACKUP_SUFFIX; n++) {
    const path = n === 0 ? `${resolved}.bak` : `${resolved}.bak.${n}`;
    if (await exists(path)) continue;
    try {
      return { path, handle: await open(path, 'wx', 0o600) };
    } catch (error) {
      if (!isErrorCode(error, 'EEXIST')) throw error;
    }
  }
  throw new Error(
    `no free backup name: ${basename(resolved)}.bak and .bak.1 to .bak.${MAX_BACKUP_SUFFIX} all exist; remove old backups`,
  );
}

// Ownership first: chown clears setuid/setgid bits, which the chmod then restores.
async function writeAndClose(
  handle: FileHandle,
  content: string | Buffer,
  owner: { mode: number; uid: number; gid: number } | undefined,
): Promise<void> {
  try {
    if (owner !== undefined) {
      // Not root (EPERM), or an id outside this user namespace (EINVAL): keep the writer's owner.
      await handle.chown(owner.uid, owner.gid).catch((error: unknown) => {
        if (!isErrorCode(error, 'EPERM') && !isErrorCode(error, 'EINVAL')) throw error;
      });
      await handle.chmod(owner.mode);
    }
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
