/**
 * A V8 code cache for the CommonJS packages ecsops requires (the AWS SDK, commander ...) on Node lines
 * without module.enableCompileCache (Node 20; entry.ts turns on Node's own cache on >= 22.1). Compiling
 * the SDK's CommonJS bundles is ~30 ms of an `insights status` run on Node 20; with the cache V8
 * deserialises the code instead, including the functions compiled while the previous run executed.
 *
 * Safe by construction: an entry is used only for the exact source it was made from (SHA-1 of the
 * file's content) and only when the whole cache file is intact (SHA-1 of its data); the file name
 * carries the ecsops, Node and V8 versions. Anything missing, stale, corrupt or unreadable is compiled
 * as usual, and the file is rewritten only when a run compiled something it did not have. Nothing is
 * written when the folder cannot be created or written. Remove this module once engines is Node >= 22.
 */
import { hash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { Script, constants as vmConstants } from 'node:vm';

interface CacheHeader {
  schemaVersion: 1;
  /** SHA-1 of the data section. */
  dataHash: string;
  /** filename -> [offset, length, SHA-1 of the source]. */
  entries: Record<string, [offset: number, length: number, source: string]>;
}

interface CacheEntry {
  source: string;
  data: Buffer;
}

// The parts of Node's CommonJS loader that Module.prototype._compile uses; @types/node omits them.
interface LoaderModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string, format?: string): unknown;
}
interface Loader {
  prototype: LoaderModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: LoaderModule, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: LoaderModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/** The cache folder: $XDG_CACHE_HOME/ecsops, else %LOCALAPPDATA%\ecsops on Windows, else ~/.cache/ecsops. */
export function codeCacheDir(env: NodeJS.ProcessEnv, home: string, platform = process.platform): string {
  const base = env.XDG_CACHE_HOME || (platform === 'win32' && env.LOCALAPPDATA) || join(home, '.cache');
  return join(base, 'ecsops');
}

/** The cache file for this ecsops version on this Node and V8. */
export function codeCacheFile(dir: string, version: string): string {
  const { node, v8 } = process.versions;
  return join(dir, `code-cache-${version}-node${node}-v8-${v8}-${process.arch}.bin`);
}

/**
 * From now on, CommonJS files under node_modules are compiled with cached data when the cache has it
 * for their exact source, and at exit the cache file gets what this run compiled anew.
 */
export function installCodeCache(file: string): void {
  const loader = Module as unknown as Loader;
  const cached = readCache(file);
  const compiled = new Map<string, { source: string; script: Script }>();
  const nodeModules = `${sep}node_modules${sep}`;
  const compile = loader.prototype._compile;

  loader.prototype._compile = function compileWithCache(content, filename, format) {
    if (format === 'module' || !filename.includes(nodeModules) || content.startsWith('#!'))
      return compile.call(this, content, filename, format);
    const source = hash('sha1', content);
    const hit = cached.get(filename);
    const cachedData = hit?.source === source ? hit.data : undefined;
    let script: Script;
    try {
      script = new Script(loader.wrap(content), {
        filename,
        cachedData,
        importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
    } catch {
      // Not plain CommonJS (an ES module in a .js file, say): Node's loader knows what to do.
      return compile.call(this, content, filename, format);
    }
    if (!cachedData || script.cachedDataRejected) {
      cached.delete(filename);
      compiled.set(filename, { source, script });
    }
    const require = Object.assign((id: string) => this.require(id), {
      resolve: Object.assign(
        (request: string, options?: unknown) => loader._resolveFilename(request, this, false, options),
        { paths: (request: string) => loader._resolveLookupPaths(request, this) },
      ),
      main: (process as { mainModule?: unknown }).mainModule,
      extensions: loader._extensions,
      cache: loader._cache,
    });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };

  process.once('exit', () => {
    if (compiled.size === 0) return;
    try {
      for (const [filename, { source, script }] of compiled)
        cached.set(filename, { source, data: script.createCachedData() });
      writeCache(file, cached);
    } catch {
      // A cache is only ever a speed-up.
    }
  });
}

/** The entries of an intact cache file; none when it is missing, unreadable or corrupt. */
function readCache(file: string): Map<string, CacheEntry> {
  try {
    const bytes = readFileSync(file);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as CacheHeader;
    const data = bytes.subarray(4 + headerLength);
    if (header.schemaVersion !== 1 || hash('sha1', data) !== header.dataHash) return new Map();
    const entries = new Map<string, CacheEntry>();
    for (const [filename, [offset, length, source]] of Object.entries(header.entries)) {
      if (!(offset >= 0 && length > 0 && offset + length <= data.length)) return new Map();
      entries.set(filename, { source, data: data.subarray(offset, offset + length) });
    }
    return entries;
  } catch {
    return new Map();
  }
}

/** Writes the cache atomically (a temp file renamed into place); on failure leaves nothing behind. */
function writeCache(file: string, entries: Map<string, CacheEntry>): void {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const index: CacheHeader['entries'] = {};
    let offset = 0;
    for (const [filename, { source, data }] of entries) {
      index[filename] = [offset, data.length, source];
      offset += data.length;
    }
    const data = Buffer.concat([...entries.values()].map((entry) => entry.data));
    const header: CacheHeader = { schemaVersion: 1, dataHash: hash('sha1', data), entries: index };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerBytes.length);
    writeFileSync(temp, Buffer.concat([length, headerBytes, data]), { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written there.
    }
    return;
  }
  // Caches of other ecsops or Node versions are never read again.
  for (const other of readdirSync(dir))
    if (other.startsWith('code-cache-') && other !== basename(file) && !other.endsWith('.tmp'))
      rmSync(join(dir, other), { force: true });
}
