import { describe, expect, it } from 'vitest';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../../src/core/alarm/definition.js';
import type { AlarmOptions, MetricAlarmDefinition } from '../../../src/core/alarm/types.js';
import {
  type AlarmState,
  evaluateRange,
  everAlarmed,
  type ModelAlarm,
  type Series,
  type SimulationOptions,
  series,
  simulateAlarm,
  type TreatMissingData,
} from '../../helpers/cloudwatch-model.js';

const target = { clusterName: 'prod', serviceName: 'web' };

function alarmFor(options: AlarmOptions = {}): MetricAlarmDefinition {
  return planTaskHealthAlarm(target, resolveAlarmOptions(options));
}

function run(alarm: ModelAlarm, running: Series, desired: Series, options?: SimulationOptions) {
  return simulateAlarm(alarm, { RunningTaskCount: running, DesiredTaskCount: desired }, options);
}

const states = (steps: ReturnType<typeof run>): AlarmState[] => steps.map((s) => s.state);
const firstAlarm = (steps: ReturnType<typeof run>): number | undefined =>
  steps.find((s) => s.state === 'ALARM')?.minute;
const finalState = (steps: ReturnType<typeof run>): AlarmState | undefined => steps.at(-1)?.state;

// Scenarios: 40 one-minute periods; the interesting thing happens at minute 20.
const healthy = series([2, 40]);
const gap = undefined;

describe('the documented evaluation tables, reproduced by the model', () => {
  // AlarmThatSendsEmail.md, "How alarm state is evaluated when data is missing": 0 = not breaching,
  // X = breaching, - = missing; 5 datapoints retrieved; columns MISSING, IGNORE, BREACHING, NOT BREACHING.
  const parse = (row: string) => row.split(' ').map((c) => (c === '-' ? undefined : c === 'X'));
  const R = 'retain';
  const cases: Array<[number, number, string, [string, string, string, string]]> = [
    [3, 3, '0 - X - X', ['OK', 'OK', 'OK', 'OK']],
    [3, 3, '0 - - - -', ['OK', 'OK', 'OK', 'OK']],
    [3, 3, '- - - - -', ['INSUFFICIENT_DATA', R, 'ALARM', 'OK']],
    [3, 3, '0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    [3, 3, '- - - - X', ['INSUFFICIENT_DATA', R, 'ALARM', 'OK']],
    // Documented as ALARM for MISSING; the model says INSUFFICIENT_DATA (see the helper's header).
    [3, 3, 'X - - - -', ['INSUFFICIENT_DATA', R, 'ALARM', 'OK']],
    [2, 3, '0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    [2, 3, '0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    [2, 3, '0 - X - -', ['OK', 'OK', 'ALARM', 'OK']],
    [2, 3, '- - - - 0', ['OK', 'OK', 'ALARM', 'OK']],
    [2, 3, '- - - - X', ['INSUFFICIENT_DATA', R, 'ALARM', 'OK']],
  ];
  const modes: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
  it.each(cases)('%i of %i, %s', (m, n, row, expected) => {
    modes.forEach((mode, i) => {
      for (const previous of ['OK', 'ALARM'] as const) {
        const want = expected[i] === R ? previous : expected[i];
        const got = evaluateRange(
          parse(row),
          { evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: mode },
          previous,
        );
        expect({ mode, previous, got }).toEqual({ mode, previous, got: want });
      }
    });
  });
});

describe('the ecsops task-health alarm (defaults: ratio < 1, 2 of 3, 60 s, treatMissingData ignore)', () => {
  const alarm = alarmFor();

  it('stays OK for a healthy service', () => {
    const steps = run(alarm, healthy, healthy);
    expect(everAlarmed(steps)).toBe(false);
    expect(finalState(steps)).toBe('OK');
  });

  it('case 1: fires on a total outage (both metrics vanish) and stays in ALARM while it lasts', () => {
    const steps = run(alarm, series([2, 20], [gap, 20]), series([2, 20], [gap, 20]));
    // Minute 20 is the first empty one: 1 breaching of 3; minute 21 makes it 2 of 3.
    expect(firstAlarm(steps)).toBe(21);
    // Once the evaluation range no longer holds any DesiredTaskCount, REPEAT has nothing to repeat
    // and the expression returns no data: `ignore` keeps ALARM instead of going to INSUFFICIENT_DATA.
    expect(steps[30]?.values.every((v) => v === undefined)).toBe(true);
    expect(states(steps).slice(21)).toEqual(Array(19).fill('ALARM'));
  });

  it('case 1b: recovers to OK when the tasks come back', () => {
    const running = series([2, 20], [gap, 10], [2, 10]);
    const steps = run(alarm, running, running);
    expect(firstAlarm(steps)).toBe(21);
    expect(finalState(steps)).toBe('OK');
  });

  it('case 2: fires when 1 of 2 tasks runs for 2 of 3 minutes', () => {
    const steps = run(alarm, series([2, 20], [1, 2], [2, 18]), healthy);
    expect(firstAlarm(steps)).toBe(21);
    expect(finalState(steps)).toBe('OK');
  });

  it('case 2b: fires when 1 of 2 runs in 2 non-consecutive minutes of 3', () => {
    const steps = run(alarm, series([2, 20], [1, 1], [2, 1], [1, 1], [2, 17]), healthy);
    expect(firstAlarm(steps)).toBe(22);
  });

  it.each([
    ['one minute with 1 of 2 running', series([2, 20], [1, 1], [2, 19]), healthy],
    [
      'one minute with no datapoint at all',
      series([2, 20], [gap, 1], [2, 19]),
      series([2, 20], [gap, 1], [2, 19]),
    ],
    [
      'one bad minute every 3 minutes',
      series(
        ...Array.from(
          { length: 10 },
          () =>
            [
              [1, 1],
              [2, 2],
            ] as Array<[number, number]>,
        ).flat(),
      ),
      series([2, 30]),
    ],
  ])('case 3: does not fire on %s', (_name, running, desired) => {
    expect(everAlarmed(run(alarm, running, desired))).toBe(false);
  });

  it('case 4: does not fire for a service deliberately scaled to 0', () => {
    // Minute 20: desired is already 0 while tasks drain (still RUNNING), so Container Insights
    // publishes desired 0 once; then both metrics stop.
    const running = series([2, 20], [1, 1], [gap, 19]);
    const desired = series([2, 20], [0, 1], [gap, 19]);
    const steps = run(alarm, running, desired);
    expect(everAlarmed(steps)).toBe(false);
    expect(finalState(steps)).toBe('OK');
  });

  it('case 4b: Minimum catches a desired 0 sample even in the minute the last task stops', () => {
    // The minute's Minimum of DesiredTaskCount is 0 if any sample in it saw desired 0.
    const running = series([2, 20], [0, 1], [gap, 19]);
    const desired = series([2, 20], [0, 1], [gap, 19]);
    expect(everAlarmed(run(alarm, running, desired))).toBe(false);
  });

  it('race (documented limitation): fires if no datapoint with desired 0 was published before the tasks stopped', () => {
    // A service without a load balancer whose tasks exit at once on SIGTERM can go from "2 of 2"
    // to "no data" between two Container Insights samples. That is indistinguishable from an
    // outage, so the alarm fires, and `ignore` keeps it in ALARM until the service runs again
    // (or `ecsops alarm prune` deletes the alarm of a service now at desired 0).
    const running = series([2, 20], [gap, 20]);
    const steps = run(alarm, running, running);
    expect(firstAlarm(steps)).toBe(21);
    expect(finalState(steps)).toBe('ALARM');
  });

  it('limitation: a service scaled up from 0 whose tasks never reach RUNNING does not fire', () => {
    // No task RUNNING means no datapoint carries the new desired count.
    const running = series([1, 10], [gap, 30]);
    const desired = series([1, 9], [0, 1], [gap, 30]);
    expect(everAlarmed(run(alarm, running, desired))).toBe(false);
  });

  it('tolerates the latest minute arriving late (the M-of-N mitigation the FILL docs recommend)', () => {
    expect(everAlarmed(run(alarm, healthy, healthy, { late: 1 }))).toBe(false);
    // Still fires on an outage with that delay, and no later: the unpublished minute reads as 0 anyway.
    const down = series([2, 20], [gap, 20]);
    expect(firstAlarm(run(alarm, down, down, { late: 1 }))).toBe(21);
  });

  it('limitation: with 2 minutes of publishing delay the defaults fire on a healthy service; 3 of 5 does not', () => {
    expect(everAlarmed(run(alarm, healthy, healthy, { late: 2 }))).toBe(true);
    const wider = alarmFor({ evaluationPeriods: 5, datapointsToAlarm: 3 });
    expect(everAlarmed(run(wider, healthy, healthy, { late: 2 }))).toBe(false);
    const down = series([2, 20], [gap, 20]);
    expect(everAlarmed(run(wider, down, down, { late: 2 }))).toBe(true);
  });

  it('uses --threshold: 0.5 ignores 1 of 2 running but fires on 1 of 3', () => {
    const half = alarmFor({ threshold: 0.5 });
    expect(everAlarmed(run(half, series([2, 20], [1, 20]), healthy))).toBe(false);
    expect(everAlarmed(run(half, series([3, 20], [1, 20]), series([3, 40])))).toBe(true);
  });

  it('the generated alarm evaluates the same under --missing-data breaching for the four cases but not after a long scale to 0', () => {
    // Shows why ignore is the default: breaching would turn "no data for hours after a scale to 0"
    // into ALARM.
    const breaching = alarmFor({ missingData: 'breaching' });
    const running = series([2, 20], [1, 1], [gap, 19]);
    const desired = series([2, 20], [0, 1], [gap, 19]);
    expect(everAlarmed(run(breaching, running, desired))).toBe(true);
  });
});

describe('the classic design (running / desired, Minimum, 2 of 3) it replaces', () => {
  const classic = (treatMissingData: TreatMissingData): ModelAlarm => ({
    Metrics: [
      { Id: 'm1', MetricStat: { Metric: { MetricName: 'RunningTaskCount' } }, ReturnData: false },
      { Id: 'm2', MetricStat: { Metric: { MetricName: 'DesiredTaskCount' } }, ReturnData: false },
      { Id: 'e1', Expression: 'm1 / m2', ReturnData: true },
    ],
    ComparisonOperator: 'LessThanThreshold',
    Threshold: 1,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    TreatMissingData: treatMissingData,
  });
  const down = series([2, 20], [gap, 20]);

  it('never fires on a total outage with the default treatMissingData (missing)', () => {
    const steps = run(classic('missing'), down, down);
    expect(everAlarmed(steps)).toBe(false);
    expect(finalState(steps)).toBe('INSUFFICIENT_DATA');
  });

  it('still catches a partial outage', () => {
    expect(everAlarmed(run(classic('missing'), series([2, 20], [1, 2], [2, 18]), healthy))).toBe(true);
  });

  it('with breaching it fires on the outage but also on a deliberate scale to 0', () => {
    expect(everAlarmed(run(classic('breaching'), down, down))).toBe(true);
    const running = series([2, 20], [1, 1], [gap, 19]);
    const desired = series([2, 20], [0, 1], [gap, 19]);
    expect(everAlarmed(run(classic('breaching'), running, desired))).toBe(true);
  });
});
