/** The account flags (`--accounts`, `--org`, ...) as FleetOptions, checked; no AWS, no I/O. */
import type { FleetOptions } from '../commands/context.js';
import {
  DEFAULT_ASSUME_ROLE,
  isAccountId,
  isParentId,
  validateExternalId,
  validateSessionName,
} from '../core/fleet.js';
import { UsageError } from '../errors.js';

/** Raw values of the account flags, as commander parsed them. */
export interface RawFleetFlags {
  accounts?: string[] | undefined;
  org?: boolean | undefined;
  orgOu?: string[] | undefined;
  excludeAccounts?: string[] | undefined;
  assumeRole?: string | undefined;
  externalId?: string | undefined;
  roleSessionName?: string | undefined;
}

/** FleetOptions when a fleet run was asked for, undefined for the caller's own account. */
export function toFleetOptions(flags: RawFleetFlags): FleetOptions | undefined {
  const accounts = flags.accounts ?? [];
  const orgUnits = flags.orgOu ?? [];
  const exclude = flags.excludeAccounts ?? [];
  const badAccounts = [...accounts, ...exclude].filter((a) => !isAccountId(a));
  if (badAccounts.length) {
    throw new UsageError(
      `not an account id: ${badAccounts.map((a) => JSON.stringify(a)).join(', ')} (expected 12 digits)`,
    );
  }
  const badUnits = orgUnits.filter((u) => !isParentId(u));
  if (badUnits.length) {
    throw new UsageError(
      `--org-ou: not an organizational unit or root id: ${badUnits.map((u) => JSON.stringify(u)).join(', ')}`,
      'OU ids look like ou-ab12-cd34ef56, roots like r-ab12.',
    );
  }
  const fleet = accounts.length > 0 || Boolean(flags.org) || orgUnits.length > 0;
  if (!fleet) {
    const stray = (
      [
        ['--exclude-accounts', exclude.length > 0],
        ['--assume-role', flags.assumeRole !== undefined],
        ['--external-id', flags.externalId !== undefined],
        ['--role-session-name', flags.roleSessionName !== undefined],
      ] as const
    ).filter(([, given]) => given);
    if (stray.length) {
      throw new UsageError(
        `${stray.map(([flag]) => flag).join(', ')} need(s) --accounts, --org or --org-ou.`,
        'Example: ecsops --accounts 111111111111,222222222222 --assume-role ecsops-operator insights status',
      );
    }
    return undefined;
  }
  if (flags.externalId !== undefined) validateExternalId(flags.externalId);
  if (flags.roleSessionName !== undefined) validateSessionName(flags.roleSessionName);
  return {
    accounts,
    org: Boolean(flags.org),
    orgUnits,
    exclude,
    assumeRole: flags.assumeRole ?? DEFAULT_ASSUME_ROLE,
    externalId: flags.externalId,
    roleSessionName: flags.roleSessionName,
  };
}
