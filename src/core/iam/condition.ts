/**
 * The Condition element, decided against a request context with three outcomes: true, false, or
 * unknown (an operator we do not model, a policy variable, or a key whose value we cannot know).
 */
import { arnMatches, globMatch } from './match.js';

/**
 * What we know about a request's condition keys. Keys are case-insensitive. A key listed in
 * `values` is present; a key in `absent` is known not to be present; any other key is unknown,
 * because treating an unknown key as missing would be a guess.
 */
export interface ConditionContext {
  values: Readonly<Record<string, readonly string[]>>;
  absent?: readonly string[];
  /** Keys we know are present but whose value we cannot know (e.g. `kms:EncryptionContext:SecretVersionId`). */
  presentUnknown?: readonly string[];
}

/** Outcome of a condition block: a plain boolean, or unknown with the reason. */
export type ConditionOutcome = { result: boolean } | { result: 'unknown'; reason: string };

type KeyLookup =
  | { kind: 'present'; values: readonly string[] }
  | { kind: 'absent' }
  | { kind: 'unknown'; reason: string };

function lookup(ctx: ConditionContext, key: string): KeyLookup {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(ctx.values))
    if (k.toLowerCase() === lower) return { kind: 'present', values: v };
  if (ctx.presentUnknown?.some((k) => k.toLowerCase() === lower)) {
    return {
      kind: 'unknown',
      reason: `the value of condition key ${key} is not known before the task starts`,
    };
  }
  if (ctx.absent?.some((k) => k.toLowerCase() === lower)) return { kind: 'absent' };
  return {
    kind: 'unknown',
    reason: `condition key ${key} is not known for this request (e.g. it depends on the network path, tags or time)`,
  };
}

type Compare = (policyValue: string, contextValue: string) => boolean | 'unknown';

const dateOf = (s: string): number => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));
const num =
  (f: (a: number, b: number) => boolean): Compare =>
  (p, c) => {
    const a = Number(c);
    const b = Number(p);
    return Number.isNaN(a) || Number.isNaN(b) ? false : f(a, b);
  };
const date =
  (f: (a: number, b: number) => boolean): Compare =>
  (p, c) => {
    const a = dateOf(c);
    const b = dateOf(p);
    return Number.isNaN(a) || Number.isNaN(b) ? false : f(a, b);
  };

/** Base operators (no IfExists, no set qualifier): the comparison and whether it is negated. */
const OPERATORS: Readonly<Record<string, { compare: Compare; negated: boolean }>> = {
  stringequals: { compare: (p, c) => p === c, negated: false },
  stringnotequals: { compare: (p, c) => p === c, negated: true },
  stringequalsignorecase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: true },
  stringlike: { compare: (p, c) => globMatch(p, c), negated: false },
  stringnotlike: { compare: (p, c) => globMatch(p, c), negated: true },
  numericequals: { compare: num((a, b) => a === b), negated: false },
  numericnotequals: { compare: num((a, b) => a === b), negated: true },
  numericlessthan: { compare: num((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: num((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: num((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: num((a, b) => a >= b), negated: false },
  dateequals: { compare: date((a, b) => a === b), negated: false },
  datenotequals: { compare: date((a, b) => a === b), negated: true },
  datelessthan: { compare: date((a, b) => a < b), negated: false },
  datelessthanequals: { compare: date((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: date((a, b) => a >= b), negated: false },
  bool: { compare: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  arnequals: { compare: (p, c) => arnMatches(p, c), negated: false },
  arnlike: { compare: (p, c) => arnMatches(p, c), negated: false },
  arnnotequals: { compare: (p, c) => arnMatches(p, c), negated: true },
  arnnotlike: { compare: (p, c) => arnMatches(p, c), negated: true },
};

/** Decides one `Operator: { key: values }` entry. */
function evaluateOperator(
  operator: string,
  key: string,
  policyValues: readonly string[],
  ctx: ConditionContext,
): ConditionOutcome {
  let op = operator;
  let qualifier: 'any' | 'all' | undefined;
  if (/^foranyvalue:/i.test(op)) {
    qualifier = 'any';
    op = op.slice('ForAnyValue:'.length);
  } else if (/^forallvalues:/i.test(op)) {
    qualifier = 'all';
    op = op.slice('ForAllValues:'.length);
  }
  const ifExists = /ifexists$/i.test(op);
  if (ifExists) op = op.slice(0, -'IfExists'.length);
  const found = lookup(ctx, key);

  if (op.toLowerCase() === 'null') {
    if (qualifier || ifExists)
      return { result: 'unknown', reason: `unsupported condition operator ${operator}` };
    if (found.kind === 'unknown') return { result: 'unknown', reason: found.reason };
    const wantAbsent = policyValues.map((v) => v.toLowerCase());
    const isAbsent = found.kind === 'absent' || found.values.length === 0;
    return { result: wantAbsent.includes(isAbsent ? 'true' : 'false') };
  }

  const def = OPERATORS[op.toLowerCase()];
  if (!def) return { result: 'unknown', reason: `unsupported condition operator ${operator} (on ${key})` };
  if (policyValues.some((v) => v.includes('${'))) {
    return { result: 'unknown', reason: `policy variables in ${operator} ${key} are not evaluated` };
  }
  if (found.kind === 'unknown') return { result: 'unknown', reason: found.reason };

  const missing = found.kind === 'absent' || found.values.length === 0;
  if (missing) {
    // IAM: a missing key makes ...IfExists and negated operators true, ForAllValues true (vacuous),
    // ForAnyValue and everything else false.
    if (ifExists) return { result: true };
    if (qualifier === 'all') return { result: true };
    if (qualifier === 'any') return { result: false };
    return { result: def.negated };
  }
  const values = found.values;
  // "matches any policy value" for one context value; a negated operator inverts it per value.
  const satisfies = (c: string): boolean | 'unknown' => {
    let sawUnknown = false;
    for (const p of policyValues) {
      const r = def.compare(p, c);
      if (r === true) return !def.negated;
      if (r === 'unknown') sawUnknown = true;
    }
    return sawUnknown ? 'unknown' : def.negated;
  };
  const results = values.map(satisfies);
  if (results.includes('unknown'))
    return { result: 'unknown', reason: `cannot compare ${key} for ${operator}` };
  // A single-valued operator on a one-value key and ForAnyValue both need one satisfying value;
  // ForAllValues needs every value to satisfy. Without a qualifier a multi-valued key behaves as
  // "any" for positive operators and "none" for negated ones, which `satisfies` already encodes.
  if (qualifier === 'all') return { result: results.every((r) => r === true) };
  if (qualifier === 'any') return { result: results.some((r) => r === true) };
  return { result: def.negated ? results.every((r) => r === true) : results.some((r) => r === true) };
}

/** Decides a whole Condition element: every operator and every key must hold (logical AND). */
export function evaluateCondition(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  ctx: ConditionContext,
): ConditionOutcome {
  if (!condition) return { result: true };
  let unknown: string | undefined;
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(block)) {
      const r = evaluateOperator(operator, key, values, ctx);
      if (r.result === false) return r;
      if (r.result === 'unknown') unknown ??= r.reason;
    }
  }
  return unknown ? { result: 'unknown', reason: unknown } : { result: true };
}
