import { describe, expect, it } from 'vitest';
import { parseDriftTarget, toSecretsSyncOptions } from '../../src/cli/groups/secrets-drift.js';
import { UsageError } from '../../src/errors.js';

const none = { allServices: false };

describe('secrets drift flags', () => {
  it.each([
    [
      { ...none, taskDef: 'web:3' },
      { kind: 'task-def', taskDef: 'web:3' },
    ],
    [
      { cluster: 'C', allServices: true },
      { kind: 'cluster', cluster: 'C', services: { kind: 'all' } },
    ],
    [
      { cluster: 'C', service: ['a', 'b'], allServices: false },
      { kind: 'cluster', cluster: 'C', services: { kind: 'names', names: ['a', 'b'] } },
    ],
  ])('%o', (flags, target) => {
    expect(parseDriftTarget(flags)).toEqual(target);
  });

  it.each([
    [none, 'exactly one of --task-def or --cluster'],
    [{ ...none, taskDef: 'x', cluster: 'C' }, 'exactly one of --task-def or --cluster'],
    [{ ...none, cluster: 'C' }, '--cluster needs --service NAME... or --all-services'],
    [{ cluster: 'C', service: ['a'], allServices: true }, 'cannot be used together'],
    [{ taskDef: 'x', allServices: true }, 'need --cluster'],
  ])('rejects %o', (flags, message) => {
    expect(() => parseDriftTarget(flags)).toThrow(UsageError);
    expect(() => parseDriftTarget(flags)).toThrow(message);
  });
});

describe('secrets sync flags (the secrets migrate pipeline flags)', () => {
  const base = {
    inPlace: false,
    register: false,
    updateService: false,
    wait: false,
    skipCheck: false,
    applyFix: false,
    dryRun: false,
    yes: false,
  };

  it('register, update a service, wait', () => {
    expect(
      toSecretsSyncOptions({
        ...base,
        taskDef: 'web:3',
        register: true,
        updateService: true,
        cluster: 'C',
        service: 'S',
        wait: true,
        yes: true,
      }),
    ).toEqual({
      source: { kind: 'registered', taskDef: 'web:3' },
      output: { kind: 'stdout' },
      apply: {
        kind: 'register',
        check: 'verify',
        updateService: { cluster: 'C', service: 'S', wait: { timeoutSeconds: 900 } },
      },
      dryRun: false,
      yes: true,
    });
  });

  it.each([
    [{ ...base }, 'exactly one source'],
    [{ ...base, taskDef: 'x', file: 'f' }, 'exactly one source'],
    [{ ...base, taskDef: 'x', applyFix: true }, '--apply-fix needs --register'],
    [{ ...base, file: 'f', inPlace: true, out: 'o' }, 'cannot be used together'],
  ])('rejects %o', (flags, message) => {
    expect(() => toSecretsSyncOptions(flags)).toThrow(message);
  });
});
