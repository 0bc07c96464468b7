/**
 * Pure rules of a fleet run (`--accounts`, `--org`): which accounts, which role ARN in each, which
 * session name. No SDK, no I/O. AWS facts behind the patterns: docs/fleet.md.
 */
import { UsageError } from '../errors.js';

/** The role ecsops assumes in each account unless --assume-role says otherwise (created by Organizations). */
export const DEFAULT_ASSUME_ROLE = 'OrganizationAccountAccessRole';

const ACCOUNT_ID = /^\d{12}$/;
// IAM role names and paths: [\w+=,.@-], paths separated by '/'.
const ROLE_NAME_OR_PATH = /^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/([\w+=,.@/-]+)$/;
// Organizations ids: roots r-xxxx, OUs ou-xxxx-yyyyyyyy.
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
// sts:AssumeRole RoleSessionName and ExternalId patterns and lengths.
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Whether `id` is a 12-digit AWS account id. */
export function isAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id);
}

/** Whether `id` is an Organizations root (`r-...`) or OU (`ou-...`) id. */
export function isParentId(id: string): boolean {
  return PARENT_ID.test(id);
}

/**
 * The accounts a run covers: the named ones, then the listed ones (organization), each once, in that
 * order, without the excluded ones.
 */
export function selectAccounts(
  named: readonly string[],
  listed: readonly string[],
  exclude: readonly string[],
): string[] {
  const excluded = new Set(exclude);
  return [...new Set([...named, ...listed])].filter((a) => !excluded.has(a));
}

/**
 * The role ARN to assume in `account`: `--assume-role NAME` (or `path/NAME`) becomes
 * `arn:<partition>:iam::<account>:role/NAME`; an ARN template has `{account}` replaced. An ARN
 * without `{account}` is accepted only for its own account.
 */
export function roleArnFor(assumeRole: string, account: string, partition: string): string {
  if (assumeRole.startsWith('arn:')) {
    const arn = assumeRole.replaceAll('{account}', account);
    const match = ROLE_ARN.exec(arn);
    if (!match) {
      throw new UsageError(
        `--assume-role ${assumeRole} is not an IAM role ARN template.`,
        'Example: --assume-role "arn:aws:iam::{account}:role/ecsops" ({account} becomes each account id), or a role name.',
      );
    }
    if (match[2] !== account) {
      throw new UsageError(
        `--assume-role ${assumeRole} names a role in account ${match[2]}, not in ${account}.`,
        'Put {account} where the account id goes: --assume-role "arn:aws:iam::{account}:role/NAME".',
      );
    }
    return arn;
  }
  const name = assumeRole.replace(/^\/+/, '');
  if (!ROLE_NAME_OR_PATH.test(name)) {
    throw new UsageError(
      `--assume-role ${JSON.stringify(assumeRole)} is not a role name (letters, digits and +=,.@_-, paths with /) or an ARN template.`,
    );
  }
  return `arn:${partition}:iam::${account}:role/${name}`;
}

/** `ecsops-<user>`, cut to what RoleSessionName allows (2-64 characters of [\w+=,.@-]). */
export function defaultSessionName(user: string | undefined): string {
  const safe = (user ?? '').replace(/[^\w+=,.@-]/g, '-');
  return `ecsops-${safe || 'user'}`.slice(0, 64);
}

/** Throws a UsageError unless `name` is a valid RoleSessionName. */
export function validateSessionName(name: string): void {
  if (!SESSION_NAME.test(name)) {
    throw new UsageError(
      `--role-session-name ${JSON.stringify(name)} must be 2-64 characters of letters, digits and +=,.@_-.`,
    );
  }
}

/** Throws a UsageError unless `id` is a valid ExternalId. */
export function validateExternalId(id: string): void {
  if (!EXTERNAL_ID.test(id)) {
    throw new UsageError('--external-id must be 2-1224 characters of letters, digits and +=,.@:/_-.');
  }
}
