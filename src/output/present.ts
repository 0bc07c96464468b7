import type { ExitCode } from '../errors.js';
import type { Reporter } from './reporter.js';

/** Every command's typed result carries the exit code it earned. */
export interface CommandResult {
  exitCode: ExitCode;
}

/** One account's result of a fleet run (`--accounts`, `--org`). */
export interface AccountResult<R> {
  /** The 12-digit account id. */
  account: string;
  result: R;
}

/**
 * How a fleet run's results are shown together: one table with an ACCOUNT column, JSON rows with an
 * `account` field. `results` holds only the accounts that finished; failed accounts are reported by
 * the fleet runner around it.
 */
export interface FleetView<R> {
  human(results: AccountResult<R>[], out: Reporter): void;
  json(results: AccountResult<R>[]): Record<string, unknown>;
}

/** How one command's result is shown: once for people, once as the JSON document. */
export interface ResultView<R extends CommandResult> {
  human(result: R, out: Reporter): void;
  json(result: R): Record<string, unknown>;
  /** The combined rendering of a fleet run; without it each account gets its own section. */
  fleet?: FleetView<R>;
}

/**
 * Where a fleet run's per-account reporter sends the result instead of printing it: the fleet runner
 * renders all accounts once they are done (see src/cli/fleet.ts).
 */
export interface ResultCapture {
  capture<R extends CommandResult>(result: R, view: ResultView<R>): void;
}

/** Renders a command's result in the mode the user chose and returns its exit code. */
export function present<R extends CommandResult>(out: Reporter, result: R, view: ResultView<R>): ExitCode {
  if (out.resultCapture) out.resultCapture.capture(result, view);
  else if (out.jsonMode) out.json(view.json(result));
  else view.human(result, out);
  return result.exitCode;
}
