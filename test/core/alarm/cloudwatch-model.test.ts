import { describe, expect, it } from 'vitest';
import { evaluateQueries, parseExpression, type Series } from '../../helpers/cloudwatch-model.js';

// The model must agree with the documented examples before its verdicts on ecsops's alarm mean
// anything. Tables from "Using metric math" (comparison operators, IF expressions).
const _ = undefined;

function evalExpr(expression: string, data: Record<string, Series>): Array<number | undefined> {
  const length = Math.max(...Object.values(data).map((s) => s.length));
  const queries = [
    ...Object.keys(data).map((id) => ({
      Id: id,
      MetricStat: { Metric: { MetricName: id } },
      ReturnData: false,
    })),
    { Id: 'out', Expression: expression, ReturnData: true },
  ];
  return evaluateQueries(queries, data, length);
}

describe('cloudwatch-model expressions match the documented examples', () => {
  const metric1 = [30, 20, 0, 0];
  const metric2 = [20, _, 20, _];
  it.each([
    ['metric1 < metric2', [0, 0, 1, 0]],
    ['metric1 >= 30', [1, 0, 0, 0]],
  ])('comparison %s', (expression, expected) => {
    expect(evalExpr(expression, { metric1, metric2 })).toEqual(expected);
  });

  const m1 = [1, 1, 0, 0, _];
  const m2 = [30, _, 0, 0, 30];
  const m3 = [0, 0, 20, _, 20];
  it.each([
    ['IF(metric1, metric2, metric3)', [30, 0, 20, _, _]],
    ['IF(metric1, 5, metric3)', [5, 5, 20, _, _]],
    ['IF(metric1, metric2, 5)', [30, 0, 5, 5, _]],
  ])('%s', (expression, expected) => {
    expect(evalExpr(expression, { metric1: m1, metric2: m2, metric3: m3 })).toEqual(expected);
  });

  it('treats a missing value as 0 in series arithmetic and drops division by zero', () => {
    expect(evalExpr('a + b', { a: [1, _, _, 4], b: [1, 2, _, _] })).toEqual([2, 2, _, 4]);
    expect(evalExpr('a / b', { a: [4, 4, _], b: [2, _, 2] })).toEqual([2, _, 0]);
  });

  it('FILL with a value fills every gap; REPEAT carries the last value forward within the range', () => {
    expect(evalExpr('FILL(a, 0)', { a: [_, 1, _, _] })).toEqual([0, 1, 0, 0]);
    expect(evalExpr('FILL(a, REPEAT)', { a: [_, 1, _, 3, _] })).toEqual([_, 1, 1, 3, 3]);
  });

  it('rejects what it does not model instead of guessing', () => {
    expect(() => parseExpression('SUM(METRICS())')).toThrow();
    expect(() => evalExpr('SUM(a)', { a: [1] })).toThrow(/not modelled/);
    expect(() => parseExpression('a +')).toThrow();
  });
});
