import { describe, expect, it } from 'vitest';
import {
  alarmNameSearchPrefix,
  MAX_ALARM_NAME_LENGTH,
  NAME_HASH_LENGTH,
  planAlarmName,
  planDistinctAlarmName,
  validateNamePrefix,
} from '../../../src/core/alarm/name.js';
import { UsageError } from '../../../src/errors.js';

// ECS cluster and service names: up to 255 letters, digits, hyphens and underscores.
const long = (c: string, n = 255) => c.repeat(n);

describe('planAlarmName', () => {
  it.each([
    ['ecsops-task-health', 'prod', 'web', 'ecsops-task-health-prod-web'],
    ['team_a', 'prod-eu', 'api_v2', 'team_a-prod-eu-api_v2'],
  ])('%s + %s + %s', (prefix, clusterName, serviceName, expected) => {
    expect(planAlarmName(prefix, { clusterName, serviceName })).toBe(expected);
  });

  it('keeps a name of exactly 255 characters as it is', () => {
    const serviceName = long('s', 255 - 'p-c-'.length);
    const name = planAlarmName('p', { clusterName: 'c', serviceName });
    expect(name).toBe(`p-c-${serviceName}`);
    expect(name).toHaveLength(MAX_ALARM_NAME_LENGTH);
  });

  it.each([
    ['a long service', 'prod', long('s')],
    ['a long cluster', long('c'), 'web'],
    ['both long', long('c'), long('s')],
    ['one over the limit', 'c', long('s', 255 - 'ecsops-task-health-c-'.length + 1)],
  ])(
    'shortens %s to 255 characters, keeping the prefix and ending in a hash',
    (_name, clusterName, serviceName) => {
      const name = planAlarmName('ecsops-task-health', { clusterName, serviceName });
      expect(name.length).toBeLessThanOrEqual(MAX_ALARM_NAME_LENGTH);
      expect(name.startsWith(alarmNameSearchPrefix('ecsops-task-health'))).toBe(true);
      expect(name).toMatch(new RegExp(`-[0-9a-f]{${NAME_HASH_LENGTH}}$`));
      // Deterministic.
      expect(planAlarmName('ecsops-task-health', { clusterName, serviceName })).toBe(name);
    },
  );

  it('keeps a short service name whole when the cluster name is long', () => {
    const name = planAlarmName('ecsops-task-health', { clusterName: long('c'), serviceName: 'web' });
    expect(name).toMatch(/-c+-web-[0-9a-f]{8}$/);
  });

  it('gives long names that share their first 255 characters different alarms', () => {
    const a = planAlarmName('p', { clusterName: 'prod', serviceName: `${long('s', 250)}-a` });
    const b = planAlarmName('p', { clusterName: 'prod', serviceName: `${long('s', 250)}-b` });
    expect(a).not.toBe(b);
    expect(a.slice(0, -NAME_HASH_LENGTH)).toBe(b.slice(0, -NAME_HASH_LENGTH));
  });

  it('never produces control characters or non-ASCII', () => {
    const name = planAlarmName('ecsops-task-health', { clusterName: long('c'), serviceName: long('s') });
    expect(name).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe('planDistinctAlarmName', () => {
  it.each([
    ['a-b', 'c'],
    ['a', 'b-c'],
  ])('%s/%s: the usual name plus a hash of cluster and service', (clusterName, serviceName) => {
    const name = planDistinctAlarmName('p', { clusterName, serviceName });
    expect(name).toMatch(new RegExp(`^p-a-b-c-[0-9a-f]{${NAME_HASH_LENGTH}}$`));
    expect(planDistinctAlarmName('p', { clusterName, serviceName })).toBe(name);
  });

  it('differs between two services whose usual names are the same, also when shortened', () => {
    expect(planAlarmName('p', { clusterName: 'a-b', serviceName: 'c' })).toBe(
      planAlarmName('p', { clusterName: 'a', serviceName: 'b-c' }),
    );
    const pairs = [
      [
        { clusterName: 'a-b', serviceName: 'c' },
        { clusterName: 'a', serviceName: 'b-c' },
      ],
      [
        { clusterName: `x-${long('c', 200)}`, serviceName: long('s', 100) },
        { clusterName: 'x', serviceName: `${long('c', 200)}-${long('s', 100)}` },
      ],
    ];
    for (const [one, two] of pairs as [
      [{ clusterName: string; serviceName: string }, { clusterName: string; serviceName: string }],
    ]) {
      const a = planDistinctAlarmName('p', one);
      const b = planDistinctAlarmName('p', two);
      expect(a).not.toBe(b);
      expect(a).not.toBe(planAlarmName('p', one));
      expect(a.length).toBeLessThanOrEqual(MAX_ALARM_NAME_LENGTH);
      expect(b.length).toBeLessThanOrEqual(MAX_ALARM_NAME_LENGTH);
    }
  });
});

describe('validateNamePrefix', () => {
  it.each([
    ['', /empty/],
    ['has space', /printable ASCII/],
    ['tab\there', /printable ASCII/],
    ['nul\u0000', /printable ASCII/],
    ['ünïcode', /printable ASCII/],
    [long('p', 65), /limit is 64/],
  ])('rejects %j', (prefix, message) => {
    expect(() => validateNamePrefix(prefix)).toThrow(UsageError);
    expect(() => validateNamePrefix(prefix)).toThrow(message);
  });

  it.each(['ecsops-task-health', 'team/a', 'x', long('p', 64)])('accepts %j', (prefix) => {
    expect(() => validateNamePrefix(prefix)).not.toThrow();
  });
});
