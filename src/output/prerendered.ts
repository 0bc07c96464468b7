/**
 * Writing a pre-rendered answer (src/cli/entry.ts) to stdout. It has no static imports: it is all
 * that `ecsops --help` loads besides the entry, and fs comes from the caller.
 */

/** Where stdout goes, as far as commander's help layout cares. */
export interface StdoutShape {
  isTTY: boolean;
  columns: number | undefined;
}

/**
 * Whether stdout is a terminal, and its width. Only a character device can be a terminal; for pipes and
 * files this answers without creating process.stdout, which costs more than the rest of a pre-rendered
 * answer (~4 ms on Node 22). Undefined when fd 1 cannot be examined: commander meets that case.
 */
export function stdoutShape(fs: Pick<typeof import('node:fs'), 'fstatSync'>): StdoutShape | undefined {
  try {
    // bigint: a plain fstat leaves "FIFO" in the stat array Node shares between calls, and
    // fs.realpathSync (the CommonJS resolver's) consults that array on cached path parts: module paths
    // under a symlinked node_modules would then stop being resolved to their real paths.
    if (!fs.fstatSync(1, { bigint: true }).isCharacterDevice()) return { isTTY: false, columns: undefined };
  } catch {
    return undefined;
  }
  return { isTTY: Boolean(process.stdout.isTTY), columns: process.stdout.columns };
}

/**
 * Writes `text` to fd 1 synchronously, as process.stdout does for files, pipes and terminals, without
 * creating the stream. Whatever the fd does not take at once (a non-blocking pipe that is full, a
 * reader that went away) goes through process.stdout, which then behaves as it would under commander.
 */
export function writeStdout(fs: Pick<typeof import('node:fs'), 'writeSync'>, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += fs.writeSync(1, bytes, offset);
  } catch {
    process.stdout.write(bytes.subarray(offset));
  }
}
