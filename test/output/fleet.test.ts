/** Fleet output: the per-account reporter and the one rendering of all accounts. */
import { describe, expect, it } from 'vitest';
import type { AlarmListResult } from '../../src/commands/alarm-list.js';
import type { InsightsStatusResult } from '../../src/commands/insights-status.js';
import { ExitCode } from '../../src/errors.js';
import { alarmListView } from '../../src/output/alarm.js';
import {
  type AccountOutcome,
  createAccountReporter,
  fleetJson,
  renderFleetHuman,
  reportFleetSummary,
} from '../../src/output/fleet.js';
import { insightsStatusView } from '../../src/output/insights.js';
import { type CommandResult, present, type ResultView } from '../../src/output/present.js';
import { createReporter, type Reporter } from '../../src/output/reporter.js';

const A = '111111111111';
const B = '222222222222';

function reporter(json = false): { out: Reporter; stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  const out = createReporter({
    json,
    command: 'x',
    debug: false,
    stdout: { write: (s: string) => (o += s) },
    stderr: { write: (s: string) => (e += s) },
    env: {},
  });
  return { out, stdout: () => o, stderr: () => e };
}

function status(account: string, clusters: string[]): InsightsStatusResult {
  return {
    exitCode: ExitCode.ok,
    regions: ['us-east-1'],
    accountDefaults: [{ region: 'us-east-1', value: 'disabled' }],
    clusters: clusters.map((name) => ({
      region: 'us-east-1',
      clusterName: name,
      clusterArn: `arn:aws:ecs:us-east-1:${account}:cluster/${name}`,
      status: 'ACTIVE',
      containerInsights: 'enabled',
      registeredContainerInstancesCount: 0,
      activeServicesCount: 0,
    })),
    errors: [],
  };
}

/** Runs present() through an account reporter, as a command in a fleet run does. */
function outcome<R extends CommandResult>(
  base: Reporter,
  account: string,
  result: R,
  view: ResultView<R>,
): AccountOutcome {
  const { out, capture } = createAccountReporter(base, account, { stream: false });
  const exitCode = present(out, result, view);
  return { account, status: 'done', exitCode, capture };
}

const failedB: AccountOutcome = {
  account: B,
  status: 'failed',
  exitCode: ExitCode.aws,
  capture: { text: [] },
  error: { type: 'AccountAccessError', message: 'Could not assume role' },
};

describe('the account reporter', () => {
  it('prefixes stderr with the account, captures the result, and keeps stdout text for the end', () => {
    const r = reporter();
    const { out, capture } = createAccountReporter(r.out, A, { stream: false });
    out.info('Plan: 1 to change\nsecond line');
    out.warn('careful');
    out.result('~ plan line');
    present(out, status(A, ['web']), insightsStatusView);
    expect(r.stderr()).toBe(`[${A}] Plan: 1 to change\n[${A}] second line\nwarning: [${A}] careful\n`);
    expect(r.stdout()).toBe('');
    expect(capture.text).toEqual(['~ plan line']);
    expect(capture.result?.value).toEqual(status(A, ['web']));
  });

  it('streams stdout under the account heading when accounts run one at a time', () => {
    const r = reporter();
    const { out } = createAccountReporter(r.out, A, { stream: true });
    out.result('~ one');
    out.result('~ two');
    expect(r.stdout()).toBe(`== account ${A} ==\n~ one\n~ two\n`);
  });
});

describe('insights status over accounts', () => {
  it('is one table with an ACCOUNT column, and the account defaults per account', () => {
    const r = reporter();
    renderFleetHuman(r.out, [
      outcome(r.out, A, status(A, ['web']), insightsStatusView),
      outcome(r.out, B, status(B, ['api', 'jobs']), insightsStatusView),
    ]);
    const lines = r.stdout().split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT\s+REGION\s+CLUSTER\s+CONTAINER INSIGHTS\s+STATUS$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      [A, 'us-east-1', 'web'],
      [B, 'us-east-1', 'api'],
      [B, 'us-east-1', 'jobs'],
    ]);
    expect(r.stdout()).toContain(`  ${B} us-east-1: disabled`);
  });

  it('is one JSON document whose rows carry the account, with each account’s status', () => {
    const r = reporter(true);
    const doc = fleetJson([outcome(r.out, A, status(A, ['web']), insightsStatusView), failedB], ExitCode.aws);
    expect(
      (doc.clusters as { account: string; clusterName: string }[]).map((c) => [c.account, c.clusterName]),
    ).toEqual([[A, 'web']]);
    expect(doc.regions).toEqual([{ account: A, region: 'us-east-1', accountDefault: 'disabled' }]);
    expect(doc.accounts).toEqual([
      { account: A, status: 'done', exitCode: 0 },
      { account: B, status: 'failed', exitCode: 3, error: failedB.status === 'failed' ? failedB.error : {} },
    ]);
    expect(doc.exitCode).toBe(3);
  });
});

describe('alarm list over accounts', () => {
  const list = (account: string, names: string[]): AlarmListResult => ({
    exitCode: ExitCode.ok,
    prefix: 'ecsops',
    regions: ['eu-west-1'],
    alarms: names.map((n) => ({
      region: 'eu-west-1',
      alarmName: `ecsops-${n}`,
      alarmArn: `arn:aws:cloudwatch:eu-west-1:${account}:alarm:ecsops-${n}`,
      clusterName: 'prod',
      serviceName: n,
      state: 'OK',
      reason: undefined,
    })),
    rules: [],
    regionErrors: account === B ? [{ region: 'eu-west-1', message: 'denied' }] : [],
  });

  it('has an ACCOUNT column and account fields', () => {
    const r = reporter();
    const outcomes = [
      outcome(r.out, A, list(A, ['web']), alarmListView),
      outcome(r.out, B, list(B, ['api']), alarmListView),
    ];
    renderFleetHuman(r.out, outcomes);
    expect(r.stdout()).toMatch(/^ACCOUNT\s+REGION\s+CLUSTER\s+SERVICE\s+STATE\s+ALARM\s+REASON\n/);
    expect(r.stdout()).toMatch(new RegExp(`${B}\\s+eu-west-1\\s+prod\\s+api\\s+OK\\s+ecsops-api`));
    expect(r.stderr()).toContain(`${B} eu-west-1: could not read alarms: denied`);
    const doc = fleetJson(outcomes, ExitCode.ok);
    expect(
      (doc.alarms as { account: string; alarmName: string }[]).map((a) => [a.account, a.alarmName]),
    ).toEqual([
      [A, 'ecsops-web'],
      [B, 'ecsops-api'],
    ]);
    expect(doc.errors).toEqual([{ account: B, region: 'eu-west-1', message: 'denied' }]);
  });
});

describe('a view without a fleet rendering', () => {
  interface Plain extends CommandResult {
    n: number;
  }
  const plainView: ResultView<Plain> = {
    human: (r, out) => {
      out.result(`n=${r.n}`);
      out.info('1 applied');
    },
    json: (r) => ({ n: r.n }),
  };

  it('gets a section per account (heading, text kept from the run, its own rendering)', () => {
    const r = reporter();
    const a = createAccountReporter(r.out, A, { stream: false });
    a.out.result('~ change');
    present(a.out, { exitCode: ExitCode.ok, n: 1 }, plainView);
    renderFleetHuman(r.out, [{ account: A, status: 'done', exitCode: 0, capture: a.capture }, failedB]);
    expect(r.stdout()).toBe(`== account ${A} ==\n~ change\nn=1\n`);
    expect(r.stderr()).toBe(`[${A}] 1 applied\n`);
  });

  it('gets one JSON document: accounts[] with each account’s document, `account` first', () => {
    const r = reporter(true);
    const doc = fleetJson(
      [
        outcome(r.out, A, { exitCode: ExitCode.ok, n: 1 }, plainView),
        failedB,
        { account: '333333333333', status: 'not-started', exitCode: ExitCode.interrupted },
      ],
      ExitCode.interrupted,
    );
    expect(doc).toEqual({
      accounts: [
        { account: A, n: 1, status: 'done', exitCode: 0 },
        {
          account: B,
          status: 'failed',
          exitCode: 3,
          error: { type: 'AccountAccessError', message: 'Could not assume role' },
        },
        { account: '333333333333', status: 'not-started', exitCode: 130 },
      ],
      exitCode: 130,
    });
    expect(Object.keys((doc.accounts as object[])[0] ?? {})[0]).toBe('account');
  });

  it('ends with a summary line naming failed and not-started accounts', () => {
    const r = reporter();
    reportFleetSummary(r.out, [
      { account: A, status: 'done', exitCode: 0, capture: { text: [] } },
      failedB,
      { account: '333333333333', status: 'not-started', exitCode: 130 },
    ]);
    expect(r.stderr()).toBe(`3 account(s): 1 done, 1 failed (${B}), 1 not started (333333333333).\n`);
  });
});
