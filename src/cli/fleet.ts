/**
 * The fleet runner (`--accounts`, `--org`, `--org-ou`): resolves the accounts, gets credentials in
 * each (sts:AssumeRole on top of the caller's chain, cached and refreshed: src/aws/assume-role.ts),
 * runs the command once per account with that account's own context (clients, pacers and limiters
 * are per context, so rate limits hold per account-region), and renders one output for all of them.
 * Commands stay account-agnostic. AWS facts: docs/fleet.md.
 */
import { userInfo } from 'node:os';
import { cachedCredentials } from '../aws/assume-role.js';
import type { AwsClients, CredentialProvider } from '../aws/clients.js';
import type { OrganizationsApi } from '../aws/organizations.js';
import type { CallerIdentity, StsApi } from '../aws/sts.js';
import { worstExitCode } from '../commands/apply-flow.js';
import type { CommandContext, FleetOptions } from '../commands/context.js';
import { mapConcurrent } from '../core/concurrency.js';
import { defaultSessionName, roleArnFor, selectAccounts } from '../core/fleet.js';
import { AwsError, EcsopsError, ExitCode, UsageError } from '../errors.js';
import {
  type AccountOutcome,
  createAccountReporter,
  fleetJson,
  renderFleetHuman,
  reportFleetSummary,
} from '../output/fleet.js';
import type { Reporter } from '../output/reporter.js';

/** What the fleet runner needs from main.ts. */
export interface FleetRunDeps {
  /** AWS clients built like the caller's, on other credentials (one account's assumed role). */
  clientsFor(credentials: CredentialProvider, account: string): AwsClients;
  /** Prints an error (message and hint) as main.ts does and returns its exit code. */
  reportError(error: unknown, out: Reporter): ExitCode;
  /** The JSON error document main.ts writes for a failed run. */
  errorDocument(error: unknown, exitCode: number): Record<string, unknown>;
  /** The command writes (it has --dry-run / --yes). */
  mutating: boolean;
  /** A person will answer prompts (mutating, no --yes or --dry-run, a terminal): accounts run one at a time. */
  prompts: boolean;
  /** The local file flags the command was given (--out, --in-place, --config-out): one file, one account. */
  localFileFlags: readonly string[];
}

/** One account to run in: through an assumed role, or (the caller's own account) the caller's chain. */
export interface AccountTarget {
  account: string;
  roleArn?: string | undefined;
}

/** Assuming the role in an account failed: names the role, the account, the caller and the fix. */
export class AccountAccessError extends EcsopsError {
  constructor(target: Required<AccountTarget>, caller: CallerIdentity, fleet: FleetOptions, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const code = cause instanceof AwsError ? cause.code : '';
    const trust = `the trust policy of ${target.roleArn} must allow sts:AssumeRole for ${caller.arn || 'your identity'} (or arn:${caller.partition}:iam::${caller.account}:root)${fleet.externalId ? ' with the condition sts:ExternalId equal to --external-id' : ''}`;
    super(
      `Could not assume role ${target.roleArn} in account ${target.account}: ${why}`,
      cause instanceof EcsopsError ? cause.exitCode : ExitCode.aws,
      /AccessDenied/.test(code) || code === ''
        ? `Check that the role exists in account ${target.account}, that ${trust}, and that your own policies allow sts:AssumeRole on it. Another role: --assume-role NAME or "arn:${caller.partition}:iam::{account}:role/NAME". See README "Accounts and organizations".`
        : cause instanceof EcsopsError
          ? cause.hint
          : undefined,
      { cause },
    );
  }
}

/** The home region for STS and the region chain: the default chain's, else the first named, else us-east-1. */
async function homeRegion(ctx: CommandContext): Promise<string> {
  const named = ctx.global.regions.find((r) => r !== 'all');
  return (await ctx.aws.defaultRegion()) ?? named ?? 'us-east-1';
}

/** Every ACTIVE account under the given roots/OUs and their child OUs, walked level by level. */
export async function accountsUnder(
  org: OrganizationsApi,
  parents: readonly string[],
  concurrency: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const accounts: string[] = [];
  const seen = new Set<string>();
  let level = [...new Set(parents)];
  while (level.length) {
    for (const p of level) seen.add(p);
    const settled = await mapConcurrent(
      level,
      concurrency,
      async (parent) => {
        const [inParent, children] = await Promise.all([
          org.listAccountsForParent(parent),
          org.listChildUnits(parent),
        ]);
        return { inParent, children };
      },
      signal,
    );
    const next: string[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      if (s.status === 'not-started') throw new UsageError('Interrupted while listing the organization.');
      for (const a of s.value.inParent) if (a.state === 'ACTIVE') accounts.push(a.id);
      for (const c of s.value.children) if (!seen.has(c)) next.push(c);
    }
    level = next;
  }
  return accounts;
}

/** The accounts of the run with the role to assume in each (none for the caller's own account). */
export async function resolveTargets(
  ctx: CommandContext,
  fleet: FleetOptions,
  caller: CallerIdentity,
): Promise<AccountTarget[]> {
  let listed: string[] = [];
  if (fleet.orgUnits.length) {
    listed = await accountsUnder(
      await ctx.aws.organizations(),
      fleet.orgUnits,
      Math.min(ctx.global.concurrency, 4),
      ctx.signal,
    );
  } else if (fleet.org) {
    listed = (await (await ctx.aws.organizations()).listAccounts())
      .filter((a) => a.state === 'ACTIVE')
      .map((a) => a.id);
  }
  const accounts = selectAccounts(fleet.accounts, listed, fleet.exclude);
  if (accounts.length === 0) {
    throw new UsageError(
      'No accounts to run in: the selection is empty after --exclude-accounts (or the organization/OU has no ACTIVE accounts).',
    );
  }
  return accounts.map((account) => ({
    account,
    // The caller's own account runs on the caller's own credentials: there is no role to assume into it.
    roleArn: account === caller.account ? undefined : roleArnFor(fleet.assumeRole, account, caller.partition),
  }));
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER;
  }
}

/** Runs `body` in every account of the fleet and renders one output; returns the run's exit code. */
export async function runFleet(
  ctx: CommandContext,
  fleet: FleetOptions,
  body: (ctx: CommandContext) => Promise<ExitCode>,
  deps: FleetRunDeps,
): Promise<ExitCode> {
  const sts: StsApi = await ctx.aws.sts(await homeRegion(ctx));
  const caller = await sts.getCallerIdentity();
  const targets = await resolveTargets(ctx, fleet, caller);
  if (targets.length > 1 && deps.localFileFlags.length > 0) {
    // Every account would write the same local file in turn, and the last one would win.
    throw new UsageError(
      `${deps.localFileFlags.join(', ')} writes one local file, but this run covers ${targets.length} accounts.`,
      'Run it for one account at a time (--accounts ID), or print to stdout and register with --register.',
    );
  }
  const sessionName = fleet.roleSessionName ?? defaultSessionName(currentUser());
  if (!ctx.out.jsonMode) {
    ctx.out.info(
      `Running in ${targets.length} account(s): ${targets.map((t) => t.account).join(', ')}${targets.some((t) => t.roleArn) ? ` (role ${fleet.assumeRole})` : ''}`,
    );
  }

  const runAccount = async (target: AccountTarget): Promise<AccountOutcome> => {
    const { out, capture } = createAccountReporter(ctx.out, target.account, { stream: deps.prompts });
    try {
      let aws = ctx.aws;
      if (target.roleArn) {
        const roleArn = target.roleArn;
        const credentials = cachedCredentials(
          () => sts.assumeRole({ roleArn, sessionName, externalId: fleet.externalId }),
          ctx.now,
        );
        // Assumed up front: a denied role is reported for its account before the command starts there.
        try {
          await credentials();
        } catch (error) {
          throw new AccountAccessError({ account: target.account, roleArn }, caller, fleet, error);
        }
        aws = deps.clientsFor(credentials, target.account);
      }
      const accountCtx: CommandContext = {
        ...ctx,
        out,
        aws,
        account: target.account,
        confirm: (question) => ctx.confirm(`[account ${target.account}] ${question}`),
      };
      const exitCode = await body(accountCtx);
      return { account: target.account, status: 'done', exitCode, capture };
    } catch (error) {
      const exitCode = deps.reportError(error, out);
      return {
        account: target.account,
        status: 'failed',
        exitCode,
        capture,
        error: deps.errorDocument(error, exitCode),
      };
    }
  };

  const settled = await mapConcurrent(
    targets,
    deps.prompts ? 1 : ctx.global.concurrency,
    runAccount,
    ctx.signal,
  );
  const outcomes: AccountOutcome[] = settled.map((s, i) => {
    const account = (targets[i] as AccountTarget).account;
    if (s.status === 'fulfilled') return s.value;
    if (s.status === 'not-started') return { account, status: 'not-started', exitCode: ExitCode.interrupted };
    // runAccount catches everything; a rejection here is a bug, reported as that account's failure.
    throw s.reason;
  });
  const exitCode = fleetExitCode(outcomes, deps.mutating);
  if (ctx.out.jsonMode) ctx.out.json(fleetJson(outcomes, exitCode));
  else renderFleetHuman(ctx.out, outcomes);
  reportFleetSummary(ctx.out, outcomes);
  return exitCode;
}

/**
 * The worst account's exit code. In a mutating run where some accounts finished, an account that
 * failed outright makes the run partial (4), as a failed change does in one account.
 */
export function fleetExitCode(outcomes: readonly AccountOutcome[], mutating: boolean): ExitCode {
  const someDone = outcomes.some((o) => o.status === 'done');
  return worstExitCode(
    ...outcomes.map((o) =>
      o.status === 'failed' && mutating && someDone && o.exitCode !== ExitCode.interrupted
        ? ExitCode.partial
        : o.exitCode,
    ),
  );
}
