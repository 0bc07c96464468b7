import { describe, expect, it } from 'vitest';
import { toFleetOptions } from '../../src/cli/fleet-options.js';
import { UsageError } from '../../src/errors.js';

describe('toFleetOptions', () => {
  it('is undefined without --accounts, --org or --org-ou (the caller’s own account)', () => {
    expect(toFleetOptions({})).toBeUndefined();
  });

  it('defaults the role to OrganizationAccountAccessRole', () => {
    expect(toFleetOptions({ accounts: ['111111111111'] })).toEqual({
      accounts: ['111111111111'],
      org: false,
      orgUnits: [],
      exclude: [],
      assumeRole: 'OrganizationAccountAccessRole',
      externalId: undefined,
      roleSessionName: undefined,
    });
  });

  it('takes --org-ou without --org', () => {
    expect(toFleetOptions({ orgOu: ['ou-ab12-cd34ef56'] })?.orgUnits).toEqual(['ou-ab12-cd34ef56']);
  });

  it('refuses role flags or --exclude-accounts without a fleet, naming them', () => {
    expect(() => toFleetOptions({ assumeRole: 'x', externalId: 'abc' })).toThrow(
      /--assume-role, --external-id need\(s\) --accounts, --org or --org-ou/,
    );
    expect(() => toFleetOptions({ excludeAccounts: ['111111111111'] })).toThrow(UsageError);
  });

  it('refuses malformed account, OU, session-name and external ids', () => {
    expect(() => toFleetOptions({ accounts: ['1234'] })).toThrow(/not an account id: "1234"/);
    expect(() => toFleetOptions({ org: true, excludeAccounts: ['abc'] })).toThrow(/not an account id/);
    expect(() => toFleetOptions({ orgOu: ['prod'] })).toThrow(/not an organizational unit or root id/);
    expect(() => toFleetOptions({ org: true, roleSessionName: 'a b' })).toThrow(UsageError);
    expect(() => toFleetOptions({ org: true, externalId: 'x' })).toThrow(UsageError);
  });
});
