/**
 * Ctrl-C handling, installed when this module is evaluated: main.ts imports it first, so a Ctrl-C
 * that arrives while the rest of the program is still loading is caught too (and the run then
 * reports it and exits 130, with its one JSON document under --json).
 *
 * The first Ctrl-C aborts `interruptSignal`: nothing new starts, calls in flight finish, the command
 * reports what was applied. A second Ctrl-C quits at once.
 */
import { writeInterruptNotice } from '../output/interrupt-notice.js';

const controller = new AbortController();
let interrupts = 0;

/** Aborted on the first Ctrl-C. */
export const interruptSignal: AbortSignal = controller.signal;

/** Installed once; the second Ctrl-C is handed to `quit` (main.ts exits 130). */
export function onSecondInterrupt(quit: () => void): void {
  secondInterrupt = quit;
}
let secondInterrupt: () => void = () => undefined;

process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) {
    secondInterrupt();
    return;
  }
  controller.abort();
  writeInterruptNotice(process.stderr);
});
