import type { ExitCode } from '../errors.js';
import type { Reporter } from './reporter.js';

/** Every command's typed result carries the exit code it earned. */
export interface CommandResult {
  exitCode: ExitCode;
}

/** How one command's result is shown: once for people, once as the JSON document. */
export interface ResultView<R extends CommandResult> {
  human(result: R, out: Reporter): void;
  json(result: R): Record<string, unknown>;
}

/** Renders a command's result in the mode the user chose and returns its exit code. */
export function present<R extends CommandResult>(out: Reporter, result: R, view: ResultView<R>): ExitCode {
  if (out.jsonMode) out.json(view.json(result));
  else view.human(result, out);
  return result.exitCode;
}
