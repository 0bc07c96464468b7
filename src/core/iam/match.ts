/**
 * Wildcard matching as IAM does it: `*` is any run of characters, `?` one character. Actions match
 * case-insensitively; resources and ARN conditions case-sensitively, colon segment by colon segment.
 */

/** Glob match of `value` against `pattern` with `*` and `?`, optionally ignoring case. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  // Iterative matcher with backtracking on the last `*`: linear-ish and no regex escaping pitfalls.
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** True when an IAM action pattern (`ssm:Get*`, `*`) covers the action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** Splits an ARN into its first five fields and the resource part (which may itself hold colons). */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * True when a Resource pattern covers the resource ARN. `*` alone matches everything; otherwise the
 * five ARN fields and the resource part are matched separately, so `*` in the region field does not
 * swallow the account. Patterns that are not ARNs fall back to a whole-string glob.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = arnParts(pattern);
  const a = arnParts(arn);
  if (!p || !a) return globMatch(pattern, arn);
  return p.every((seg, i) => globMatch(seg, a[i] ?? ''));
}
