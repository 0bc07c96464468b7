import type { OutputStream } from './reporter.js';

/** What the first Ctrl-C prints (stderr), before the command reports what it applied. */
export function writeInterruptNotice(stderr: OutputStream): void {
  stderr.write(
    '\nInterrupted: finishing calls in flight, then reporting what was applied. Ctrl-C again to quit now.\n',
  );
}
