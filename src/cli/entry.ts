/**
 * The process entry (bin/ecsops.js requires only this). `--version`, `--help` and `<command> --help` are
 * answered from dist/help.json, which `npm run build` fills with commander's own output for every
 * command path (scripts/render-help.mjs), so those runs load neither commander nor any CLI module.
 * Everything else, and every doubt about the file, goes to main.ts and commander.
 *
 * It is all that `ecsops --help` loads, so it has no static imports: `import ... from 'node:fs'` builds
 * an ES module facade of fs (~2 ms on Node 22, a tenth of Node's own start-up); getBuiltinModule does not.
 */
import { stdoutShape, writeStdout } from '../output/prerendered.js';

type Fs = Pick<typeof import('node:fs'), 'fstatSync' | 'readFileSync' | 'statSync' | 'writeSync'>;

/** What scripts/render-help.mjs writes to dist/help.json. */
export interface PrerenderedHelp {
  schemaVersion: 1;
  /** Files (relative to dist/) the texts were rendered from, with their sizes in bytes. */
  inputs: [path: string, size: number][];
  /** True when commander's help differs with colour on; then it is served only where colour is off. */
  styled: boolean;
  /** `ecsops --version` output. */
  version: string;
  /** `ecsops <path> --help` output at 80 columns, keyed by the command path ('' is the program). */
  help: Record<string, string>;
}

import type { StdoutShape } from '../output/prerendered.js';

/** Set to anything, this turns the pre-rendered answers off (the build and the tests use it). */
export const NO_PRERENDERED_ENV = 'ECSOPS_NO_PRERENDERED_HELP';

const HELP_FILE = new URL('../help.json', import.meta.url);
const HELP_FLAGS = new Set(['--help', '-h']);
const VERSION_FLAGS = new Set(['--version', '-V']);
const COMMAND_WORD = /^[a-z][a-z0-9-]*$/;

/** Runs ecsops for `argv` (process.argv shape). */
export async function start(argv: string[]): Promise<void> {
  // getBuiltinModule is Node >= 20.16 / 22.3; engines (>= 20.19) also admits 22.0-22.2.
  const fs: Fs = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
  const stdout = stdoutShape(fs);
  const text = stdout && prerenderedAnswer(argv.slice(2), stdout, process.env, fs);
  if (text !== undefined) {
    writeStdout(fs, text);
    return;
  }
  await enableCompileCache();
  const { main } = await import('./main.js');
  await main(argv);
}

/**
 * The pre-rendered text for `args` (argv without node and the script), or undefined when commander
 * must answer: any other argv, a terminal other than 80 columns, or a missing, stale or unreadable file.
 */
export function prerenderedAnswer(
  args: readonly string[],
  stdout: StdoutShape,
  env: NodeJS.ProcessEnv,
  fs: Pick<Fs, 'readFileSync' | 'statSync'>,
  file: URL = HELP_FILE,
): string | undefined {
  if (env[NO_PRERENDERED_ENV]) return undefined;
  const key = answerKey(args);
  if (key === undefined) return undefined;
  // commander's rule (Command#_getOutputContext, Help#prepareContext): the terminal's columns on a
  // terminal, otherwise 80.
  const width = (stdout.isTTY ? stdout.columns : undefined) ?? 80;
  if (width !== 80) return undefined;
  const prerendered = readPrerendered(fs, file);
  if (!prerendered) return undefined;
  if (prerendered.styled && (stdout.isTTY || env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined))
    return undefined;
  if (key.kind === 'version') return prerendered.version;
  return Object.hasOwn(prerendered.help, key.path) ? prerendered.help[key.path] : undefined;
}

type AnswerKey = { kind: 'version' } | { kind: 'help'; path: string };

/** Exactly `--version` / `-V`, or command words followed by `--help` / `-h`; nothing else. */
function answerKey(args: readonly string[]): AnswerKey | undefined {
  if (args.length === 1 && VERSION_FLAGS.has(args[0] ?? '')) return { kind: 'version' };
  const last = args.at(-1);
  if (last === undefined || !HELP_FLAGS.has(last)) return undefined;
  const words = args.slice(0, -1);
  if (!words.every((word) => COMMAND_WORD.test(word))) return undefined;
  return { kind: 'help', path: words.join(' ') };
}

/** The help file when it is whole and at least as new as every file it was rendered from. */
function readPrerendered(fs: Pick<Fs, 'readFileSync' | 'statSync'>, file: URL): PrerenderedHelp | undefined {
  try {
    const fileTime = fs.statSync(file).mtimeMs;
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PrerenderedHelp>;
    if (
      data.schemaVersion !== 1 ||
      typeof data.version !== 'string' ||
      typeof data.styled !== 'boolean' ||
      !Array.isArray(data.inputs) ||
      data.inputs.length === 0 ||
      typeof data.help !== 'object' ||
      data.help === null
    )
      return undefined;
    for (const input of data.inputs) {
      if (!Array.isArray(input) || typeof input[0] !== 'string') return undefined;
      const stat = fs.statSync(new URL(input[0], file));
      // A rebuild (tsc) or an edit after the render makes the texts stale. Equal times are fine: npm pack
      // gives every file in the package the same time.
      if (stat.size !== input[1] || stat.mtimeMs > fileTime) return undefined;
    }
    return data as PrerenderedHelp;
  } catch {
    return undefined;
  }
}

/**
 * Node >= 22.1 caches compiled code on disk (module.enableCompileCache; NODE_COMPILE_CACHE picks the
 * folder, NODE_DISABLE_COMPILE_CACHE turns it off). Node checks each entry against the source and its
 * own version, and writes nothing when the folder cannot be created or written. Where Node has no such
 * cache (Node 20), code-cache.ts keeps one for the CommonJS packages, under the same switch.
 */
async function enableCompileCache(): Promise<void> {
  try {
    // Looked up by name: @types/node 20 does not declare it.
    const enable: unknown = Reflect.get(await import('node:module'), 'enableCompileCache');
    if (typeof enable === 'function') {
      enable();
      return;
    }
    // Debuggers and source maps get Node's own compile path.
    const debugging =
      process.execArgv.some((arg) => arg.startsWith('--inspect')) || process.sourceMapsEnabled;
    if (process.env.NODE_DISABLE_COMPILE_CACHE || debugging) return;
    const [{ codeCacheDir, codeCacheFile, installCodeCache }, { homedir }, { readFileSync }] =
      await Promise.all([import('./code-cache.js'), import('node:os'), import('node:fs')]);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    installCodeCache(codeCacheFile(codeCacheDir(process.env, homedir()), pkg.version));
  } catch {
    // A cache is only ever a speed-up.
  }
}
