import type { AwsClients } from '../aws/clients.js';
import type { Reporter } from '../output/reporter.js';

/** Flags every command accepts (README "Global options"). */
export interface GlobalOptions {
  /** Region names from --region (comma-separated, repeatable); `['all']` for every enabled region; empty = the default chain. */
  regions: string[];
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  json: boolean;
  color: boolean;
  debug: boolean;
  /** Upper bound on concurrent targets (clusters, services, regions). */
  concurrency: number;
  maxAttempts: number;
}

/** What every command function receives: output, AWS clients, flags, and the Ctrl-C signal. */
export interface CommandContext {
  out: Reporter;
  aws: AwsClients;
  global: GlobalOptions;
  /** Aborted on the first Ctrl-C: stop starting new work, finish what is in flight, report. */
  signal: AbortSignal;
  /** A person can answer a prompt (stdin and stderr are terminals). */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  /** Waits, returning early if the signal aborts (polling loops use it). */
  sleep(ms: number): Promise<void>;
  now(): number;
}
