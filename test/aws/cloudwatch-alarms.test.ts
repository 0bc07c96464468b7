import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DESCRIBE_ALARMS_CONCURRENCY,
  describeAlarmsByName,
  describeAlarmsByPrefix,
} from '../../src/aws/cloudwatch-alarms.js';

const cwMock = mockClient(CloudWatchClient);
const cw = new CloudWatchClient({ region: 'us-east-1' });

beforeEach(() => cwMock.reset());
afterEach(() => cwMock.reset());

describe('describeAlarmsByName', () => {
  it('sends the 100-name batches side by side, at most 3 at once, results in batch order', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `ecsops-prod-svc-${String(i).padStart(4, '0')}`);
    let inFlight = 0;
    let most = 0;
    let n = 0;
    cwMock.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }) => {
      const delay = 30 - n++ * 3;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, Math.max(1, delay)));
      inFlight--;
      return { MetricAlarms: input.AlarmNames.map((AlarmName) => ({ AlarmName })) };
    });
    const alarms = await describeAlarmsByName(cw, names);
    const calls = cwMock.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(10);
    for (const c of calls)
      expect(c).toMatchObject({
        AlarmTypes: ['MetricAlarm'],
        MaxRecords: 100,
        AlarmNames: expect.any(Array),
      });
    expect(DESCRIBE_ALARMS_CONCURRENCY).toBe(3);
    expect(most).toBe(3);
    expect(alarms.map((a) => a.AlarmName)).toEqual(names);
  });
});

describe('describeAlarmsByPrefix', () => {
  it('pages one after another, each request carrying the previous NextToken', async () => {
    const sent: { NextToken?: string; MaxRecords?: number }[] = [];
    cwMock.on(DescribeAlarmsCommand).callsFake((input: { NextToken?: string; MaxRecords?: number }) => {
      sent.push({ ...input });
      if (!input.NextToken) return { MetricAlarms: [{ AlarmName: 'p-1' }], NextToken: 't2' };
      if (input.NextToken === 't2') return { MetricAlarms: [{ AlarmName: 'p-2' }], NextToken: 't3' };
      return { MetricAlarms: [{ AlarmName: 'p-3' }] };
    });
    const alarms = await describeAlarmsByPrefix(cw, 'p-');
    expect(sent.map((s) => [s.NextToken, s.MaxRecords])).toEqual([
      [undefined, 100],
      ['t2', 100],
      ['t3', 100],
    ]);
    expect(alarms.map((a) => a.AlarmName)).toEqual(['p-1', 'p-2', 'p-3']);
  });
});
