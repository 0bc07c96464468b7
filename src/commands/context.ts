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
  /** --accounts / --org / --org-ou and the role flags; undefined = the caller's own account only. */
  fleet?: FleetOptions | undefined;
}

/**
 * Which accounts a fleet run covers and how ecsops gets into each (README "Accounts and
 * organizations"). The run fans out above the command: each account runs the command unchanged with
 * its own context (see src/cli/fleet.ts).
 */
export interface FleetOptions {
  /** --accounts: 12-digit ids, in the order given. */
  accounts: string[];
  /** --org: every ACTIVE account of the caller's organization. */
  org: boolean;
  /** --org-ou: only accounts under these OUs (and their child OUs). Implies listing the organization. */
  orgUnits: string[];
  /** --exclude-accounts. */
  exclude: string[];
  /** --assume-role: a role name (or path/name), or an ARN template with `{account}`. */
  assumeRole: string;
  externalId?: string | undefined;
  /** --role-session-name; default `ecsops-<user>`. */
  roleSessionName?: string | undefined;
}

/** What every command function receives: output, AWS clients, flags, and the Ctrl-C signal. */
export interface CommandContext {
  out: Reporter;
  aws: AwsClients;
  global: GlobalOptions;
  /**
   * The account this context acts in, in a fleet run (`--accounts`, `--org`): `aws` then holds that
   * account's credentials. Undefined = the caller's own account, no fleet.
   */
  account?: string | undefined;
  /** Aborted on the first Ctrl-C: stop starting new work, finish what is in flight, report. */
  signal: AbortSignal;
  /** A person can answer a prompt (stdin and stderr are terminals). */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
  /** Waits, returning early if the signal aborts (polling loops use it). */
  sleep(ms: number): Promise<void>;
  now(): number;
}
