import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/commands/audit.js';
import { auditView } from '../../src/output/audit.js';
import { createReporter } from '../../src/output/reporter.js';

function render(result: AuditResult, json = false) {
  let out = '';
  let err = '';
  const reporter = createReporter({
    json,
    debug: false,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  });
  if (json) reporter.json(auditView.json(result));
  else auditView.human(result, reporter);
  return { out, err };
}

const base: AuditResult = {
  exitCode: 0,
  account: '111111111111',
  regions: ['eu-west-1'],
  counts: { clusters: 1, services: 2, taskDefinitions: 1 },
  findings: [],
  summary: [],
  unreadable: [],
};

const withFinding: AuditResult = {
  ...base,
  exitCode: 1,
  findings: [
    {
      kind: 'insights-off',
      severity: 'medium',
      account: '111111111111',
      region: 'eu-west-1',
      resource: { type: 'cluster', name: 'prod' },
      cluster: 'prod',
      message: 'cluster prod has Container Insights off',
      fix: 'ecsops insights enable --cluster prod --region eu-west-1',
    },
  ],
  summary: [{ kind: 'insights-off', severity: 'medium', account: '111111111111', count: 1 }],
};

describe('auditView', () => {
  it('a clean audit is one line saying what was looked at', () => {
    const { out, err } = render(base);
    expect(out).toBe(
      'No findings: account 111111111111, 1 cluster(s), 2 service(s), 1 task definition(s) in eu-west-1.\n',
    );
    expect(err).toBe('');
  });

  it('findings: the summary table, then each finding with its fix', () => {
    const { out } = render(withFinding);
    expect(out.split('\n').slice(0, 2)).toEqual([
      'KIND          SEVERITY  ACCOUNT       FINDINGS',
      'insights-off  medium    111111111111  1',
    ]);
    expect(out).toContain('  fix: ecsops insights enable --cluster prod --region eu-west-1');
    expect(out).toContain('1 finding(s): account 111111111111');
  });

  it('unreadable parts go to stderr, named; JSON says incomplete', () => {
    const result: AuditResult = {
      ...withFinding,
      exitCode: 3,
      unreadable: [
        {
          account: '111111111111',
          region: 'eu-west-1',
          part: 'services',
          resource: 'prod',
          message: 'denied',
          lackingPermission: 'ecs:ListServices',
        },
      ],
    };
    const { out, err } = render(result);
    expect(err).toContain('could not audit 111111111111 eu-west-1 services of prod: denied');
    expect(out).toContain('1 part(s) could not be read');
    const doc = JSON.parse(render(result, true).out);
    expect(doc).toMatchObject({ schemaVersion: 1, status: 'incomplete' });
    expect(doc.findings[0]).not.toHaveProperty('services');
  });
});
