import { describe, expect, it } from 'vitest';
import {
  type AlarmHealthAlarm,
  type AlarmHealthInput,
  checkAlarmHealth,
} from '../../../src/core/alarm/health.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);

const alarm = (over: Partial<AlarmHealthAlarm> = {}): AlarmHealthAlarm => ({
  region: 'us-east-1',
  alarmName: 'ecsops-task-health-prod-web',
  clusterName: 'prod',
  serviceName: 'web',
  stateValue: 'OK',
  stateSince: minutesAgo(60),
  evaluationSeconds: 180,
  ...over,
});

const input = (over: Partial<AlarmHealthInput> = {}): AlarmHealthInput => ({
  alarms: [alarm()],
  clusters: [{ region: 'us-east-1', clusterName: 'prod', status: 'ACTIVE', containerInsights: 'enabled' }],
  services: [{ region: 'us-east-1', clusterName: 'prod', serviceName: 'web', desiredCount: 2 }],
  now: NOW,
  ...over,
});

describe('checkAlarmHealth', () => {
  it('an alarm in OK or ALARM on a live, watched service is fine', () => {
    expect(checkAlarmHealth(input())).toEqual([]);
    expect(checkAlarmHealth(input({ alarms: [alarm({ stateValue: 'ALARM' })] }))).toEqual([]);
  });

  it('INSUFFICIENT_DATA within its evaluation window is fine (just created); beyond it is a problem', () => {
    expect(
      checkAlarmHealth(
        input({ alarms: [alarm({ stateValue: 'INSUFFICIENT_DATA', stateSince: minutesAgo(2) })] }),
      ),
    ).toEqual([]);
    const [problem, ...rest] = checkAlarmHealth(
      input({ alarms: [alarm({ stateValue: 'INSUFFICIENT_DATA', stateSince: minutesAgo(90) })] }),
    );
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      kind: 'insufficient-data',
      region: 'us-east-1',
      alarmName: 'ecsops-task-health-prod-web',
      clusterName: 'prod',
      serviceName: 'web',
    });
    expect(problem?.message).toContain('for 90 min');
    expect(problem?.message).toContain('180 s evaluation window');
  });

  it('INSUFFICIENT_DATA since an unknown time counts (a runbook cannot rule it out)', () => {
    const problems = checkAlarmHealth(
      input({ alarms: [alarm({ stateValue: 'INSUFFICIENT_DATA', stateSince: undefined })] }),
    );
    expect(problems.map((p) => p.kind)).toEqual(['insufficient-data']);
  });

  it.each([
    [
      'insights-off',
      {
        clusters: [
          {
            region: 'us-east-1',
            clusterName: 'prod',
            status: 'ACTIVE',
            containerInsights: 'disabled' as const,
          },
        ],
      },
    ],
    ['cluster-missing', { clusters: [] }],
    [
      'cluster-missing',
      {
        clusters: [
          {
            region: 'us-east-1',
            clusterName: 'prod',
            status: 'INACTIVE',
            containerInsights: 'enabled' as const,
          },
        ],
      },
    ],
    ['service-missing', { services: [] }],
    [
      'service-idle',
      { services: [{ region: 'us-east-1', clusterName: 'prod', serviceName: 'web', desiredCount: 0 }] },
    ],
  ])('%s', (kind, over) => {
    // INSUFFICIENT_DATA too: only the cause is reported, once.
    const problems = checkAlarmHealth(
      input({ ...over, alarms: [alarm({ stateValue: 'INSUFFICIENT_DATA', stateSince: minutesAgo(600) })] }),
    );
    expect(problems.map((p) => p.kind)).toEqual([kind]);
  });

  it('matches by region: the same cluster name in another region is another cluster', () => {
    const problems = checkAlarmHealth(input({ alarms: [alarm({ region: 'eu-west-1' })] }));
    expect(problems.map((p) => p.kind)).toEqual(['cluster-missing']);
  });

  it('reports every alarm in region and name order', () => {
    const problems = checkAlarmHealth(
      input({
        alarms: [
          alarm({ alarmName: 'b', serviceName: 'gone' }),
          alarm({ alarmName: 'a', serviceName: 'gone2' }),
          alarm({ alarmName: 'c' }),
        ],
      }),
    );
    expect(problems.map((p) => p.alarmName)).toEqual(['a', 'b']);
  });
});
