/**
 * A small EventBridge event-pattern matcher for tests (moto's TestEventPattern does not answer over
 * HTTP). It covers the parts of the pattern language ecsops uses, as the EventBridge user guide
 * describes them (docs/alarm-events.md): exact values in arrays (any one matches; an array field of
 * the event matches when any of its elements does), nested objects, `prefix`, `anything-but`,
 * `exists`, and `$or` at any level. Anything else throws, so a pattern using more is not passed
 * by accident.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function matchesValue(matcher: Json, value: Json | undefined): boolean {
  if (matcher !== null && typeof matcher === 'object' && !Array.isArray(matcher)) {
    const [op, arg] = Object.entries(matcher)[0] ?? [];
    if (Object.keys(matcher).length !== 1)
      throw new Error(`matcher with ${Object.keys(matcher).length} keys`);
    switch (op) {
      case 'prefix':
        return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
      case 'exists':
        return arg === (value !== undefined);
      case 'anything-but': {
        const excluded = Array.isArray(arg) ? arg : [arg as Json];
        return value !== undefined && !excluded.some((e) => e === value);
      }
      default:
        throw new Error(`unsupported matcher ${op}`);
    }
  }
  return value !== undefined && matcher === value;
}

function matchesField(matchers: Json, value: Json | undefined): boolean {
  if (!Array.isArray(matchers)) throw new Error('a leaf of a pattern must be an array');
  // `exists: false` is about absence; every other matcher needs a value.
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((m) => values.some((v) => matchesValue(m, v)));
}

/** Whether `event` matches `pattern` (both parsed JSON). */
export function matchesPattern(pattern: Json, event: Json | undefined): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error('a pattern must be an object');
  }
  const object = event !== null && typeof event === 'object' && !Array.isArray(event) ? event : undefined;
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub)) throw new Error('$or takes an array');
      if (!sub.some((branch) => matchesPattern(branch, event))) return false;
      continue;
    }
    const value = object?.[key];
    if (Array.isArray(sub)) {
      if (!matchesField(sub, value)) return false;
    } else if (!matchesPattern(sub, value)) {
      return false;
    }
  }
  return true;
}
