/**
 * A small model of CloudWatch metric-math alarm evaluation, built from the documented rules only
 * (CloudWatch user guide: "Using metric math", "Using IF expressions", "How alarm state is
 * evaluated when data is missing"). It lets tests put the alarm ecsops generates through
 * minute-by-minute scenarios and assert ALARM / OK without an AWS account.
 *
 * Modelled:
 * - series are one value per period, `undefined` = no datapoint;
 * - arithmetic: "Missing values in a time series are treated as 0" (when the other operand has a
 *   value at that timestamp; with neither there is nothing to compute), and a division by zero
 *   drops the datapoint; a series with a scalar keeps missing as missing;
 * - comparisons between two series treat the missing side as 0 and yield 1/0;
 * - `IF(cond, a, b)`: cond missing -> dropped; TRUE -> a (a series' missing point -> 0); FALSE -> b
 *   (missing or omitted -> dropped);
 * - `FILL(x, value)` fills every missing point; `FILL(x, REPEAT)` repeats the most recent real value
 *   *within the queried range*; leading gaps stay missing. Not documented either way: this is the
 *   conservative reading (nothing carries over from before the evaluation range);
 * - evaluation: each period the alarm queries an evaluation range of `evaluationRange` periods
 *   (the docs' tables use 5 for 3 evaluation periods), evaluates the expression on that range
 *   only, and applies M out of N with `TreatMissingData`, carrying the state over.
 *
 * The evaluation rule reproduces every cell of both tables in the docs but one: for 3 of 3 with
 * `missing`, "X - - - -" is documented as ALARM although "- - - - X" is INSUFFICIENT_DATA; the
 * model gives INSUFFICIENT_DATA for both (see cloudwatch-model tests).
 */

/** One value per period; `undefined` = no datapoint. */
export type Series = ReadonlyArray<number | undefined>;

/** An alarm state. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** `TreatMissingData`. */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

type Value = { kind: 'scalar'; value: number } | { kind: 'series'; points: (number | undefined)[] };

// ---------------------------------------------------------------------------------------------
// Expression parsing: just the subset ecsops uses (numbers, ids, + - * /, comparisons, FILL, IF).

type Node =
  | { type: 'num'; value: number }
  | { type: 'id'; name: string }
  | { type: 'repeat' }
  | { type: 'neg'; arg: Node }
  | { type: 'bin'; op: string; left: Node; right: Node }
  | { type: 'call'; name: string; args: Node[] };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(>=|<=|==|!=|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),<>])/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const match = re.exec(text);
    if (!match?.[1]) throw new Error(`cannot parse expression at ${JSON.stringify(text.slice(pos))}`);
    tokens.push(match[1]);
    pos = re.lastIndex;
  }
  return tokens;
}

/** Parses a metric-math expression (the subset above) into a tree. */
export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string): string => {
    const token = tokens[i++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`expected ${expected ?? 'a token'} in ${JSON.stringify(text)}, got ${token}`);
    }
    return token;
  };
  const comparison = (): Node => {
    let left = additive();
    while (['>', '<', '>=', '<=', '==', '!='].includes(peek() ?? '')) {
      const op = take();
      left = { type: 'bin', op, left, right: additive() };
    }
    return left;
  };
  const additive = (): Node => {
    let left = multiplicative();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      left = { type: 'bin', op, left, right: multiplicative() };
    }
    return left;
  };
  const multiplicative = (): Node => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      left = { type: 'bin', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      take();
      return { type: 'neg', arg: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const inner = comparison();
      take(')');
      return inner;
    }
    if (/^\d/.test(token)) return { type: 'num', value: Number(token) };
    if (token === 'REPEAT') return { type: 'repeat' };
    if (/^[A-Z]+$/.test(token) && peek() === '(') {
      take('(');
      const args: Node[] = [comparison()];
      while (peek() === ',') {
        take(',');
        args.push(comparison());
      }
      take(')');
      return { type: 'call', name: token, args };
    }
    if (/^[a-z]/.test(token)) return { type: 'id', name: token };
    throw new Error(`unexpected ${token} in ${JSON.stringify(text)}`);
  };
  const tree = comparison();
  if (i !== tokens.length) throw new Error(`trailing input in ${JSON.stringify(text)}`);
  return tree;
}

// ---------------------------------------------------------------------------------------------
// Evaluation over one queried range.

function applyBinary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : a / b;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

function evaluate(node: Node, resolve: (id: string) => Value, length: number): Value {
  switch (node.type) {
    case 'num':
      return { kind: 'scalar', value: node.value };
    case 'id':
      return resolve(node.name);
    case 'repeat':
      throw new Error('REPEAT is only valid as the second argument of FILL');
    case 'neg': {
      const v = evaluate(node.arg, resolve, length);
      return v.kind === 'scalar'
        ? { kind: 'scalar', value: -v.value }
        : { kind: 'series', points: v.points.map((p) => (p === undefined ? p : -p)) };
    }
    case 'bin': {
      const l = evaluate(node.left, resolve, length);
      const r = evaluate(node.right, resolve, length);
      if (l.kind === 'scalar' && r.kind === 'scalar') {
        const value = applyBinary(node.op, l.value, r.value);
        if (value === undefined) throw new Error('scalar division by zero');
        return { kind: 'scalar', value };
      }
      const points: (number | undefined)[] = [];
      for (let t = 0; t < length; t++) {
        const a = l.kind === 'scalar' ? l.value : l.points[t];
        const b = r.kind === 'scalar' ? r.value : r.points[t];
        if (a === undefined && b === undefined) points.push(undefined);
        else if (l.kind === 'series' && r.kind === 'series')
          points.push(applyBinary(node.op, a ?? 0, b ?? 0));
        // Series with a scalar: a missing point stays missing.
        else if (a === undefined || b === undefined) points.push(undefined);
        else points.push(applyBinary(node.op, a, b));
      }
      return { kind: 'series', points };
    }
    case 'call':
      return evaluateCall(node.name, node.args, resolve, length);
  }
}

function evaluateCall(name: string, args: Node[], resolve: (id: string) => Value, length: number): Value {
  if (name === 'FILL') {
    const [seriesNode, withNode] = args;
    if (!seriesNode || !withNode || args.length !== 2) throw new Error('FILL takes 2 arguments');
    const series = evaluate(seriesNode, resolve, length);
    if (series.kind !== 'series') throw new Error('FILL needs a time series');
    if (withNode.type === 'repeat') {
      let last: number | undefined;
      return {
        kind: 'series',
        points: series.points.map((p) => {
          if (p !== undefined) last = p;
          return p ?? last;
        }),
      };
    }
    const filler = evaluate(withNode, resolve, length);
    if (filler.kind !== 'scalar') throw new Error('this model supports FILL(ts, scalar | REPEAT) only');
    return { kind: 'series', points: series.points.map((p) => p ?? filler.value) };
  }
  if (name === 'IF') {
    const [condNode, trueNode, falseNode] = args;
    if (!condNode || !trueNode || args.length > 3) throw new Error('IF takes 2 or 3 arguments');
    const cond = evaluate(condNode, resolve, length);
    const whenTrue = evaluate(trueNode, resolve, length);
    const whenFalse = falseNode ? evaluate(falseNode, resolve, length) : undefined;
    if (cond.kind === 'scalar') {
      const chosen = cond.value !== 0 ? whenTrue : whenFalse;
      if (!chosen) return { kind: 'series', points: Array<undefined>(length).fill(undefined) };
      return chosen.kind === 'series'
        ? chosen
        : { kind: 'series', points: Array<number>(length).fill(chosen.value) };
    }
    const points = cond.points.map((c, t) => {
      if (c === undefined) return undefined;
      if (c !== 0) return whenTrue.kind === 'scalar' ? whenTrue.value : (whenTrue.points[t] ?? 0);
      if (!whenFalse) return undefined;
      return whenFalse.kind === 'scalar' ? whenFalse.value : whenFalse.points[t];
    });
    return { kind: 'series', points };
  }
  throw new Error(`function ${name} is not modelled`);
}

/** The part of a `Metrics` entry the model reads (the shape ecsops sends to PutMetricAlarm). */
export interface ModelQuery {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { MetricName: string } };
  ReturnData?: boolean;
}

/**
 * Evaluates the alarm's `Metrics` over one queried range and returns the series of the query with
 * `ReturnData: true`. `data` maps MetricName to its raw values over that same range.
 */
export function evaluateQueries(
  queries: readonly ModelQuery[],
  data: Readonly<Record<string, Series>>,
  length: number,
): (number | undefined)[] {
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const cache = new Map<string, Value>();
  const resolve = (id: string): Value => {
    const cached = cache.get(id);
    if (cached) return cached;
    const query = byId.get(id);
    if (!query) throw new Error(`unknown id ${id}`);
    let value: Value;
    if (query.MetricStat) {
      const raw = data[query.MetricStat.Metric.MetricName] ?? [];
      value = { kind: 'series', points: Array.from({ length }, (_, t) => raw[t]) };
    } else if (query.Expression) {
      value = evaluate(parseExpression(query.Expression), resolve, length);
    } else {
      throw new Error(`query ${id} has neither MetricStat nor Expression`);
    }
    cache.set(id, value);
    return value;
  };
  const returned = queries.filter((q) => q.ReturnData ?? true);
  if (returned.length !== 1 || !returned[0]) throw new Error('exactly one query must have ReturnData true');
  const result = resolve(returned[0].Id);
  return result.kind === 'series' ? result.points : Array<number>(length).fill(result.value);
}

// ---------------------------------------------------------------------------------------------
// Alarm evaluation.

/** Comparison operators the model knows. */
export type ComparisonOperator =
  | 'LessThanThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanOrEqualToThreshold'
  | 'GreaterThanOrEqualToThreshold';

/** The alarm settings that drive evaluation. */
export interface ModelAlarm {
  Metrics: readonly ModelQuery[];
  ComparisonOperator: ComparisonOperator;
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: TreatMissingData;
}

function breaches(alarm: Pick<ModelAlarm, 'ComparisonOperator' | 'Threshold'>, value: number): boolean {
  switch (alarm.ComparisonOperator) {
    case 'LessThanThreshold':
      return value < alarm.Threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.Threshold;
    case 'GreaterThanThreshold':
      return value > alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.Threshold;
  }
}

/**
 * One evaluation: `range` is the evaluation range (oldest first), already reduced to breaching
 * (true) / not breaching (false) / missing (undefined).
 */
export function evaluateRange(
  range: ReadonlyArray<boolean | undefined>,
  settings: { evaluationPeriods: number; datapointsToAlarm: number; treatMissingData: TreatMissingData },
  previous: AlarmState,
): AlarmState {
  const n = settings.evaluationPeriods;
  const m = settings.datapointsToAlarm;
  const real = range.filter((p): p is boolean => p !== undefined);
  // Enough real datapoints: the most recent N decide and missing data is not considered.
  if (real.length >= n) return real.slice(-n).filter(Boolean).length >= m ? 'ALARM' : 'OK';
  const breaching = real.filter(Boolean).length;
  const fill = n - real.length;
  switch (settings.treatMissingData) {
    case 'breaching':
      return breaching + fill >= m ? 'ALARM' : 'OK';
    case 'notBreaching':
      return breaching >= m ? 'ALARM' : 'OK';
    case 'missing':
    case 'ignore': {
      const undecided: AlarmState = settings.treatMissingData === 'ignore' ? previous : 'INSUFFICIENT_DATA';
      if (real.length === 0) return undecided;
      if (breaching >= m) return 'ALARM';
      // A real non-breaching point among too few breaching ones reads as OK (docs: "0 - X - -" is OK
      // for 2 of 3); only breaching points, too few to alarm, leave it undecided ("- - - - X").
      return real.some((b) => !b) ? 'OK' : undecided;
    }
  }
}

/** Scenario settings beyond the alarm itself. */
export interface SimulationOptions {
  /** Periods in the evaluation range; default EvaluationPeriods + 2, as in the docs' tables. */
  evaluationRange?: number;
  /** The most recent `late` periods have not been published yet at evaluation time. */
  late?: number;
  /** State before the first evaluation (a new alarm starts in INSUFFICIENT_DATA). */
  initialState?: AlarmState;
}

/** One evaluation step of a simulation, for assertions and failure messages. */
export interface SimulationStep {
  minute: number;
  values: (number | undefined)[];
  state: AlarmState;
}

/**
 * Evaluates the alarm once per period, from the first period to the last of `data` (MetricName ->
 * raw series over the whole scenario), and returns the state after each evaluation.
 */
export function simulateAlarm(
  alarm: ModelAlarm,
  data: Readonly<Record<string, Series>>,
  options: SimulationOptions = {},
): SimulationStep[] {
  const length = Math.max(0, ...Object.values(data).map((s) => s.length));
  const rangeLength = options.evaluationRange ?? alarm.EvaluationPeriods + 2;
  const late = options.late ?? 0;
  const settings = {
    evaluationPeriods: alarm.EvaluationPeriods,
    datapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
    treatMissingData: alarm.TreatMissingData ?? 'missing',
  };
  let state: AlarmState = options.initialState ?? 'INSUFFICIENT_DATA';
  const steps: SimulationStep[] = [];
  for (let minute = 0; minute < length; minute++) {
    const start = minute - rangeLength + 1;
    const window: Record<string, Series> = {};
    for (const [name, series] of Object.entries(data)) {
      window[name] = Array.from({ length: rangeLength }, (_, k) => {
        const t = start + k;
        // Before the scenario starts, or not yet published: no datapoint.
        return t < 0 || t > minute - late ? undefined : series[t];
      });
    }
    const values = evaluateQueries(alarm.Metrics, window, rangeLength);
    state = evaluateRange(
      values.map((v) => (v === undefined ? undefined : breaches(alarm, v))),
      settings,
      state,
    );
    steps.push({ minute, values, state });
  }
  return steps;
}

/** Whether the alarm was in ALARM after any evaluation. */
export function everAlarmed(steps: readonly SimulationStep[]): boolean {
  return steps.some((s) => s.state === 'ALARM');
}

/** Builds a per-minute series: `series([2, 5], [undefined, 3])` = five 2s then three gaps. */
export function series(...runs: Array<[number | undefined, number]>): Series {
  return runs.flatMap(([value, count]) => Array<number | undefined>(count).fill(value));
}
