import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESCRIBE_PARAMETERS_PAGE, describeParametersByName } from '../../src/aws/ssm.js';
import { createLimiter } from '../../src/core/concurrency.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });

type Filter = { Key: string; Option: string; Values: string[] };
const namesOf = (input: { ParameterFilters?: Filter[] }) => input.ParameterFilters?.[0]?.Values ?? [];

beforeEach(() => ssmMock.reset());
afterEach(() => ssmMock.reset());

describe('describeParametersByName', () => {
  it('50 distinct names a call (MaxResults 50), batches side by side, results in batch order', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `/app/p${i}`);
    let inFlight = 0;
    let most = 0;
    ssmMock.on(DescribeParametersCommand).callsFake(async (input: { ParameterFilters?: Filter[] }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const batch = namesOf(input);
      // The first batch answers last.
      await new Promise((r) => setTimeout(r, batch[0] === '/app/p0' ? 30 : 5));
      inFlight--;
      return { Parameters: batch.map((Name) => ({ Name, Type: 'String' })) };
    });
    const found = await describeParametersByName(ssm, [...names, ...names]);
    const calls = ssmMock.commandCalls(DescribeParametersCommand).map((c) => c.args[0].input);
    expect(DESCRIBE_PARAMETERS_PAGE).toBe(50);
    expect(calls.map((c) => namesOf(c as { ParameterFilters?: Filter[] }).length)).toEqual([50, 50, 20]);
    for (const c of calls)
      expect(c).toMatchObject({ MaxResults: 50, ParameterFilters: [{ Key: 'Name', Option: 'Equals' }] });
    expect(most).toBe(3);
    expect(found.map((p) => p.name)).toEqual(names);
  });

  it('keeps to the limit it is given, and throws the first failing batch in order', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `/app/p${i}`);
    let inFlight = 0;
    let most = 0;
    ssmMock.on(DescribeParametersCommand).callsFake(async (input: { ParameterFilters?: Filter[] }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const first = namesOf(input)[0];
      if (first === '/app/p50' || first === '/app/p100')
        throw Object.assign(new Error(first), { name: 'InternalServerError', $metadata: {} });
      return { Parameters: [] };
    });
    await expect(describeParametersByName(ssm, names, { limit: createLimiter(1) })).rejects.toMatchObject({
      resource: expect.stringMatching(/^\/app\/p50,/),
    });
    expect(most).toBe(1);
  });
});
