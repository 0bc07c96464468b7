/**
 * Policy documents as IAM, KMS and Secrets Manager return them, normalised into one shape the
 * evaluator can walk. Parsing never throws: a document we cannot parse is reported, not guessed.
 */

/** A principal element after normalisation: `*`, or a map of principal type to values. */
export type PrincipalElement = '*' | Readonly<Record<string, readonly string[]>>;

/** One statement, with every string-or-array field turned into an array. */
export interface PolicyStatement {
  /** Position in the document's Statement list, for naming statements that have no Sid. */
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  action: readonly string[] | undefined;
  notAction: readonly string[] | undefined;
  resource: readonly string[] | undefined;
  notResource: readonly string[] | undefined;
  principal: PrincipalElement | undefined;
  notPrincipal: PrincipalElement | undefined;
  /** Operator -> condition key -> values, values stringified (IAM compares strings). */
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined;
}

/** A parsed policy document. */
export interface PolicyDocument {
  statements: readonly PolicyStatement[];
}

/** A document we could not read: carries the IAM action that was denied, so the report can name it. */
export interface UnreadableDocument {
  unreadable: true;
  /** The IAM action the caller lacked, e.g. `iam:GetRolePolicy` or `kms:GetKeyPolicy`. */
  lackingPermission: string;
  reason: string;
}

/** A policy document plus where it came from (e.g. `inline policy exec-secrets`). */
export interface PolicySource {
  source: string;
  document: string | object | UnreadableDocument;
  /**
   * `document` parsed once, when it was read (`withParsedPolicy`), so the evaluator does not parse
   * it again for every question it answers. Absent: the evaluator parses `document` itself.
   */
  parsed?: ParsedPolicy | undefined;
}

/** The result of parsing: a document, or why it could not be parsed. */
export type ParsedPolicy = { ok: true; policy: PolicyDocument } | { ok: false; reason: string };

/** True for the marker of a document that could not be read. */
export function isUnreadable(doc: unknown): doc is UnreadableDocument {
  return typeof doc === 'object' && doc !== null && (doc as { unreadable?: unknown }).unreadable === true;
}

/** The source with its document parsed (an unreadable marker stays as it is). */
export function withParsedPolicy(source: PolicySource): PolicySource {
  if (source.parsed || isUnreadable(source.document)) return source;
  return { ...source, parsed: parsePolicyDocument(source.document) };
}

/** The parsed form of a source's document: the one kept from when it was read, else parsed now. */
export function parsedPolicyOf(source: PolicySource): ParsedPolicy {
  return source.parsed ?? parsePolicyDocument(source.document);
}

/**
 * Parses a policy document given as an object, a JSON string, or a URL-encoded JSON string
 * (IAM's GetRolePolicy / GetPolicyVersion / GetRole return documents URL-encoded).
 */
export function parsePolicyDocument(input: string | object): ParsedPolicy {
  let raw: unknown = input;
  if (typeof input === 'string') {
    const parsed = parseJsonMaybeEncoded(input);
    if (!parsed.ok) return parsed;
    raw = parsed.value;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'policy document is not a JSON object' };
  }
  const statementRaw = (raw as { Statement?: unknown }).Statement;
  if (statementRaw === undefined) return { ok: false, reason: 'policy document has no Statement' };
  const list = Array.isArray(statementRaw) ? statementRaw : [statementRaw];
  const statements: PolicyStatement[] = [];
  for (const [index, s] of list.entries()) {
    const st = parseStatement(s, index);
    if (typeof st === 'string') return { ok: false, reason: `Statement[${index}]: ${st}` };
    statements.push(st);
  }
  return { ok: true, policy: { statements } };
}

function parseJsonMaybeEncoded(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const trimmed = text.trim();
  const attempts = [trimmed];
  // URL-encoded JSON starts with %7B; decode only when it is not already JSON, since a literal `%`
  // inside a JSON string value must survive.
  if (!trimmed.startsWith('{')) {
    try {
      attempts.push(decodeURIComponent(trimmed.replace(/\+/g, '%20')));
    } catch {
      // not URL-encoded either; fall through to the parse error below
    }
  }
  for (const candidate of attempts) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      // try the next form
    }
  }
  return { ok: false, reason: 'policy document is not valid JSON' };
}

function stringList(value: unknown, field: string): readonly string[] | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return `${field} must be a string or an array of strings`;
}

function parsePrincipal(value: unknown, field: string): PrincipalElement | { error: string } | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `${field} must be "*" or an object` };
  }
  const out: Record<string, readonly string[]> = {};
  for (const [type, v] of Object.entries(value)) {
    const list = stringList(v, `${field}.${type}`);
    if (typeof list === 'string') return { error: list };
    if (list) out[type] = list;
  }
  return out;
}

function parseCondition(value: unknown): PolicyStatement['condition'] | string {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'Condition must be an object';
  const out: Record<string, Record<string, readonly string[]>> = {};
  for (const [op, block] of Object.entries(value)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      return `Condition.${op} must be an object`;
    }
    const keys: Record<string, readonly string[]> = {};
    for (const [key, v] of Object.entries(block)) {
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
        return `Condition.${op}.${key} must hold strings, numbers or booleans`;
      }
      keys[key] = values.map(String);
    }
    out[op] = keys;
  }
  return out;
}

function parseStatement(s: unknown, index: number): PolicyStatement | string {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return 'statement is not an object';
  const o = s as Record<string, unknown>;
  if (o.Effect !== 'Allow' && o.Effect !== 'Deny') return 'Effect must be "Allow" or "Deny"';
  const fields = {
    action: stringList(o.Action, 'Action'),
    notAction: stringList(o.NotAction, 'NotAction'),
    resource: stringList(o.Resource, 'Resource'),
    notResource: stringList(o.NotResource, 'NotResource'),
  };
  for (const v of Object.values(fields)) if (typeof v === 'string') return v;
  const principal = parsePrincipal(o.Principal, 'Principal');
  if (principal !== '*' && principal && 'error' in principal) return principal.error as string;
  const notPrincipal = parsePrincipal(o.NotPrincipal, 'NotPrincipal');
  if (notPrincipal !== '*' && notPrincipal && 'error' in notPrincipal) return notPrincipal.error as string;
  const condition = parseCondition(o.Condition);
  if (typeof condition === 'string') return condition;
  if (!fields.action && !fields.notAction) return 'statement has neither Action nor NotAction';
  return {
    index,
    sid: typeof o.Sid === 'string' && o.Sid !== '' ? o.Sid : undefined,
    effect: o.Effect,
    action: fields.action as readonly string[] | undefined,
    notAction: fields.notAction as readonly string[] | undefined,
    resource: fields.resource as readonly string[] | undefined,
    notResource: fields.notResource as readonly string[] | undefined,
    principal: principal as PrincipalElement | undefined,
    notPrincipal: notPrincipal as PrincipalElement | undefined,
    condition,
  };
}

/** Names a statement for a human: `inline policy x, Sid "AllowRead"` or `..., statement #2`. */
export function describeStatement(source: string, st: Pick<PolicyStatement, 'sid' | 'index'>): string {
  return st.sid ? `${source}, Sid "${st.sid}"` : `${source}, statement #${st.index + 1}`;
}
