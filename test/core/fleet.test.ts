import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ASSUME_ROLE,
  defaultSessionName,
  isAccountId,
  isParentId,
  roleArnFor,
  selectAccounts,
  validateExternalId,
  validateSessionName,
} from '../../src/core/fleet.js';
import { UsageError } from '../../src/errors.js';

describe('account selection', () => {
  it('keeps named accounts first, then listed ones, each once, minus the excluded', () => {
    expect(selectAccounts(['2', '1'], ['1', '3', '4'], ['4'])).toEqual(['2', '1', '3']);
    expect(selectAccounts(['1'], [], ['1'])).toEqual([]);
  });

  it('recognises account, root and OU ids', () => {
    expect(isAccountId('123456789012')).toBe(true);
    expect(isAccountId('12345678901')).toBe(false);
    expect(isAccountId('12345678901a')).toBe(false);
    expect(isParentId('r-ab12')).toBe(true);
    expect(isParentId('ou-ab12-cd34ef56')).toBe(true);
    expect(isParentId('ou-ab12')).toBe(false);
    expect(isParentId('123456789012')).toBe(false);
  });
});

describe('roleArnFor', () => {
  it('turns a role name (or path/name) into the role ARN in each account and partition', () => {
    expect(roleArnFor(DEFAULT_ASSUME_ROLE, '111111111111', 'aws')).toBe(
      'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole',
    );
    expect(roleArnFor('ops/ecsops', '222222222222', 'aws-us-gov')).toBe(
      'arn:aws-us-gov:iam::222222222222:role/ops/ecsops',
    );
    expect(roleArnFor('/ecsops', '222222222222', 'aws')).toBe('arn:aws:iam::222222222222:role/ecsops');
  });

  it('fills {account} in an ARN template, every occurrence', () => {
    expect(roleArnFor('arn:aws:iam::{account}:role/ecsops-{account}', '333333333333', 'aws')).toBe(
      'arn:aws:iam::333333333333:role/ecsops-333333333333',
    );
  });

  it('accepts an ARN without {account} only for its own account', () => {
    expect(roleArnFor('arn:aws:iam::111111111111:role/x', '111111111111', 'aws')).toBe(
      'arn:aws:iam::111111111111:role/x',
    );
    expect(() => roleArnFor('arn:aws:iam::111111111111:role/x', '222222222222', 'aws')).toThrow(
      /names a role in account 111111111111, not in 222222222222/,
    );
  });

  it('rejects what is not a role name or a role ARN', () => {
    expect(() => roleArnFor('arn:aws:iam::{account}:user/x', '1'.repeat(12), 'aws')).toThrow(UsageError);
    expect(() => roleArnFor('role with spaces', '1'.repeat(12), 'aws')).toThrow(UsageError);
    expect(() => roleArnFor('a//b', '1'.repeat(12), 'aws')).toThrow(UsageError);
  });
});

describe('session name and external id', () => {
  it('defaults to ecsops-<user>, with characters STS refuses replaced and at most 64 characters', () => {
    expect(defaultSessionName('alice')).toBe('ecsops-alice');
    expect(defaultSessionName('DOMAIN\\bob smith')).toBe('ecsops-DOMAIN-bob-smith');
    expect(defaultSessionName(undefined)).toBe('ecsops-user');
    expect(defaultSessionName('x'.repeat(100))).toHaveLength(64);
  });

  it('validates --role-session-name and --external-id against the STS patterns', () => {
    expect(() => validateSessionName('runbook-42@ops')).not.toThrow();
    expect(() => validateSessionName('a')).toThrow(UsageError);
    expect(() => validateSessionName('has space')).toThrow(UsageError);
    expect(() => validateSessionName('x'.repeat(65))).toThrow(UsageError);
    expect(() => validateExternalId('tenant:42/ops')).not.toThrow();
    expect(() => validateExternalId('x')).toThrow(UsageError);
    expect(() => validateExternalId('no spaces')).toThrow(UsageError);
  });
});
