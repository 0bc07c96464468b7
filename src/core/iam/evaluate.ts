/**
 * A small IAM + KMS policy evaluator for one question: can this role, in its own account, perform
 * this action on this resource with this request context? It combines identity policies, the
 * permissions boundary, resource policies (secret resource policy, KMS key policy) and KMS grants,
 * with explicit deny winning everywhere. It answers `unknown` instead of guessing.
 *
 * It cannot see SCPs, RCPs or session policies, so `allowed` means "allowed by everything we read".
 */
import { type ConditionContext, evaluateCondition } from './condition.js';
import { actionMatches, arnMatches } from './match.js';
import {
  describeStatement,
  isUnreadable,
  type ParsedPolicy,
  type PolicySource,
  type PolicyStatement,
  type PrincipalElement,
  parsedPolicyOf,
} from './policy.js';

/** One request to decide: who, what, on which resource, with which condition keys. */
export interface AccessRequest {
  action: string;
  resource: string;
  /** The role ARN (`arn:aws:iam::123456789012:role/x`); ECS uses a session of this role. */
  principalArn: string;
  principalAccount: string;
  context: ConditionContext;
  /** KMS only: the encryption context of the Decrypt call; `null` marks a key whose value is unknown. */
  encryptionContext?: Readonly<Record<string, string | null>>;
}

/** The answer: allowed / denied / not allowed / unknown, each naming why. */
export type AccessDecision =
  | { decision: 'allowed'; allowedBy: readonly string[]; notes?: readonly string[] }
  | { decision: 'denied'; deniedBy: string }
  | { decision: 'not-allowed'; reason: string }
  | { decision: 'unknown'; reason: string; lackingPermission?: string };

/** The role's identity side: inline + attached managed policies and the optional boundary. */
export interface RolePolicies {
  roleArn: string;
  identityPolicies: readonly PolicySource[];
  /** Undefined when the role has no permissions boundary. */
  permissionsBoundary?: PolicySource | undefined;
}

/** A KMS grant as ListGrants returns it (only the fields that decide Decrypt). */
export interface KmsGrant {
  grantId?: string | undefined;
  name?: string | undefined;
  granteePrincipal: string;
  operations: readonly string[];
  constraints?:
    | {
        encryptionContextSubset?: Readonly<Record<string, string>> | undefined;
        encryptionContextEquals?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
}

/** Grants, or the marker that ListGrants was denied. */
export type KmsGrants = readonly KmsGrant[] | { unreadable: true; lackingPermission: string; reason: string };

/** A KMS key as the decrypt check needs it. */
export interface KmsKeyAccessState {
  keyArn: string;
  /** `AWS` for AWS-managed keys (aws/ssm, aws/secretsmanager), `CUSTOMER` otherwise. */
  keyManager: 'AWS' | 'CUSTOMER';
  /** Needed for CUSTOMER keys; ignored for AWS-managed keys. */
  keyPolicy?: PolicySource | undefined;
  grants?: KmsGrants | undefined;
}

// ---- three-valued plumbing -------------------------------------------------------------------

/** yes (with the statements that said so) / no / maybe (with why, and the permission we lacked). */
type Tri =
  | { v: 'yes'; by: string[] }
  | { v: 'no' }
  | { v: 'maybe'; reason: string; lackingPermission?: string };

const NO: Tri = { v: 'no' };
const yes = (...by: string[]): Tri => ({ v: 'yes', by });

function or(...xs: Tri[]): Tri {
  const ys = xs.filter((x) => x.v === 'yes');
  if (ys.length > 0) return { v: 'yes', by: ys.flatMap((y) => (y.v === 'yes' ? y.by : [])) };
  return xs.find((x) => x.v === 'maybe') ?? NO;
}

function and(...xs: Tri[]): Tri {
  if (xs.some((x) => x.v === 'no')) return NO;
  const maybe = xs.find((x) => x.v === 'maybe');
  if (maybe) return maybe;
  return { v: 'yes', by: xs.flatMap((x) => (x.v === 'yes' ? x.by : [])) };
}

/** How the request's principal relates to a Principal element. */
type PrincipalMatch = 'direct' | 'account' | 'none';

/** Who is asking, for Principal matching. */
export type RequestPrincipal =
  | { kind: 'aws'; arn: string; account: string }
  | { kind: 'service'; service: string };

function matchPrincipal(el: PrincipalElement, who: RequestPrincipal): PrincipalMatch {
  if (el === '*') return 'direct';
  let best: PrincipalMatch = 'none';
  for (const [type, values] of Object.entries(el)) {
    for (const value of values) {
      if (who.kind === 'service') {
        if (type === 'Service' && value.toLowerCase() === who.service.toLowerCase()) return 'direct';
        continue;
      }
      if (type !== 'AWS') continue;
      if (value === '*' || value === who.arn) return 'direct';
      if (value === who.account || /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1] === who.account)
        best = 'account';
    }
  }
  return best;
}

/** Per-statement applicability to the request, before the effect is considered. */
type Applies = { v: 'yes'; via: PrincipalMatch } | { v: 'no' } | { v: 'maybe'; reason: string };

interface ScanOptions {
  /** Resource policies check Principal/NotPrincipal; identity policies have none. */
  principal?: RequestPrincipal;
  /** Set when the role has a permissions boundary (changes NotPrincipal + Deny, as IAM documents). */
  hasBoundary?: boolean;
}

function statementApplies(st: PolicyStatement, req: AccessRequest, opts: ScanOptions): Applies {
  const actionHit = st.action
    ? st.action.some((p) => actionMatches(p, req.action))
    : !(st.notAction ?? []).some((p) => actionMatches(p, req.action));
  if (!actionHit) return { v: 'no' };

  const patterns = st.resource ?? st.notResource;
  if (patterns) {
    if (patterns.some((p) => p.includes('${'))) {
      return {
        v: 'maybe',
        reason: 'the statement uses a policy variable in Resource, which ecsops does not evaluate',
      };
    }
    const hit = patterns.some((p) => arnMatches(p, req.resource));
    if (st.resource ? !hit : hit) return { v: 'no' };
  }

  let via: PrincipalMatch = 'direct';
  if (opts.principal) {
    if (st.principal) {
      via = matchPrincipal(st.principal, opts.principal);
      if (via === 'none') return { v: 'no' };
    } else if (st.notPrincipal) {
      const m = matchPrincipal(st.notPrincipal, opts.principal);
      if (m !== 'none') {
        // IAM: NotPrincipal + Deny always applies to a principal that has a permissions boundary.
        if (st.effect === 'Deny' && opts.hasBoundary) via = 'direct';
        else
          return {
            v: 'maybe',
            reason:
              'NotPrincipal names the role or its account; whether the ECS role session is excluded depends on the session ARN',
          };
      }
    } else {
      return { v: 'no' };
    }
  }

  const cond = evaluateCondition(st.condition, req.context);
  if (cond.result === false) return { v: 'no' };
  if (cond.result === 'unknown') return { v: 'maybe', reason: cond.reason };
  return { v: 'yes', via };
}

/** What one layer of policies (identity, boundary, one resource policy) says about a request. */
interface LayerVerdict {
  deny: Tri;
  /** Allow statements that name the principal directly (or have no Principal: identity policies). */
  allow: Tri;
  /** Allow statements in a resource policy that name the principal's account (delegation to IAM). */
  allowAccount: Tri;
}

function scanLayer(sources: readonly PolicySource[], req: AccessRequest, opts: ScanOptions): LayerVerdict {
  const deny: Tri[] = [];
  const allow: Tri[] = [];
  const allowAccount: Tri[] = [];
  for (const src of sources) {
    if (isUnreadable(src.document)) {
      const m: Tri = {
        v: 'maybe',
        reason: `could not read ${src.source}: ${src.document.reason}`,
        lackingPermission: src.document.lackingPermission,
      };
      deny.push(m);
      allow.push(m);
      allowAccount.push(m);
      continue;
    }
    const parsed = parsedPolicyOf(src);
    if (!parsed.ok) {
      const m: Tri = { v: 'maybe', reason: `could not parse ${src.source}: ${parsed.reason}` };
      deny.push(m);
      allow.push(m);
      allowAccount.push(m);
      continue;
    }
    for (const st of parsed.policy.statements) {
      const a = statementApplies(st, req, opts);
      if (a.v === 'no') continue;
      const label = describeStatement(src.source, st);
      const t: Tri = a.v === 'yes' ? yes(label) : { v: 'maybe', reason: `${label}: ${a.reason}` };
      if (st.effect === 'Deny') deny.push(t);
      else if (a.v === 'yes' && a.via === 'account') allowAccount.push(t);
      else if (
        a.v === 'maybe' &&
        opts.principal &&
        st.principal &&
        matchPrincipal(st.principal, opts.principal) === 'account'
      )
        allowAccount.push(t);
      else allow.push(t);
    }
  }
  return { deny: or(...deny), allow: or(...allow), allowAccount: or(...allowAccount) };
}

function firstBy(t: Tri): string {
  return t.v === 'yes' ? (t.by[0] ?? 'a policy') : 'a policy';
}

/** Turns deny/allow verdicts into the public decision; `notAllowed` explains a plain "no". */
function decide(deny: Tri, allow: Tri, notAllowed: () => string, notes?: string[]): AccessDecision {
  if (deny.v === 'yes') return { decision: 'denied', deniedBy: firstBy(deny) };
  if (allow.v === 'no') return { decision: 'not-allowed', reason: notAllowed() };
  const unsure = deny.v === 'maybe' ? deny : allow.v === 'maybe' ? allow : undefined;
  if (unsure && unsure.v === 'maybe') {
    return {
      decision: 'unknown',
      reason: deny.v === 'maybe' ? `a Deny might apply: ${unsure.reason}` : unsure.reason,
      ...(unsure.lackingPermission ? { lackingPermission: unsure.lackingPermission } : {}),
    };
  }
  return {
    decision: 'allowed',
    allowedBy: allow.v === 'yes' ? allow.by : [],
    ...(notes && notes.length > 0 ? { notes } : {}),
  };
}

function identityLayers(role: RolePolicies, req: AccessRequest) {
  const identity = scanLayer(role.identityPolicies, req, {});
  const boundary = role.permissionsBoundary ? scanLayer([role.permissionsBoundary], req, {}) : undefined;
  const boundaryAllow: Tri = boundary ? boundary.allow : yes();
  return { identity, boundary, boundaryAllow };
}

function boundaryName(role: RolePolicies): string {
  return role.permissionsBoundary?.source ?? 'permissions boundary';
}

// ---- public evaluators -----------------------------------------------------------------------

/** Identity side only: inline + managed policies, limited by the permissions boundary. */
export function evaluateIdentityAccess(role: RolePolicies, req: AccessRequest): AccessDecision {
  const { identity, boundary, boundaryAllow } = identityLayers(role, req);
  const deny = or(identity.deny, boundary?.deny ?? NO);
  const allow = and(identity.allow, boundaryAllow);
  return decide(deny, allow, () =>
    identity.allow.v === 'no'
      ? `no identity policy of the role allows ${req.action} on ${req.resource}`
      : `the ${boundaryName(role)} does not allow ${req.action} on ${req.resource}`,
  );
}

/** Identity policies + boundary + the secret's resource policy (undefined when the secret has none). */
export function evaluateSecretsManagerAccess(
  role: RolePolicies,
  req: AccessRequest,
  resourcePolicy: PolicySource | undefined,
): AccessDecision {
  const { identity, boundary, boundaryAllow } = identityLayers(role, req);
  const who: RequestPrincipal = { kind: 'aws', arn: req.principalArn, account: req.principalAccount };
  const resource = resourcePolicy
    ? scanLayer([resourcePolicy], req, { principal: who, hasBoundary: !!role.permissionsBoundary })
    : undefined;
  const deny = or(identity.deny, boundary?.deny ?? NO, resource?.deny ?? NO);
  // Within one account either side may allow; a resource policy naming the role ARN is still
  // limited by the role's permissions boundary (IAM docs, "Permissions boundaries").
  const allow = and(or(identity.allow, resource?.allow ?? NO), boundaryAllow);
  return decide(deny, allow, () =>
    identity.allow.v === 'no' && (resource?.allow.v ?? 'no') === 'no'
      ? `neither an identity policy of the role nor the secret's resource policy allows ${req.action} on ${req.resource}`
      : `the ${boundaryName(role)} does not allow ${req.action} on ${req.resource}`,
  );
}

function grantVerdict(grants: KmsGrants | undefined, req: AccessRequest): Tri {
  if (grants === undefined) return NO;
  if (!Array.isArray(grants)) {
    const g = grants as Extract<KmsGrants, { unreadable: true }>;
    return {
      v: 'maybe',
      reason: `could not list the key's grants: ${g.reason}`,
      lackingPermission: g.lackingPermission,
    };
  }
  const op = req.action.replace(/^kms:/i, '');
  const out: Tri[] = [];
  for (const g of grants as readonly KmsGrant[]) {
    if (!g.operations.some((o) => o.toLowerCase() === op.toLowerCase())) continue;
    const label = `KMS grant ${g.name || g.grantId || '(unnamed)'}`;
    if (g.granteePrincipal !== req.principalArn) {
      const acct = /^arn:[^:]+:iam::(\d{12}):root$/.exec(g.granteePrincipal)?.[1] ?? g.granteePrincipal;
      if (acct === req.principalAccount) {
        out.push({
          v: 'maybe',
          reason: `${label} is granted to the whole account, which ecsops does not evaluate`,
        });
      }
      continue;
    }
    const ec = req.encryptionContext ?? {};
    const c = g.constraints;
    let t: Tri = yes(label);
    if (c?.encryptionContextEquals) {
      const want = Object.entries(c.encryptionContextEquals);
      const haveKeys = Object.keys(ec);
      if (want.length !== haveKeys.length || want.some(([k]) => !(k in ec))) t = NO;
      else t = and(...want.map(([k, v]) => constraintValue(label, k, v, ec[k])), t);
    }
    if (t.v !== 'no' && c?.encryptionContextSubset) {
      t = and(
        ...Object.entries(c.encryptionContextSubset).map(([k, v]) =>
          k in ec ? constraintValue(label, k, v, ec[k]) : NO,
        ),
        t,
      );
    }
    out.push(t);
  }
  return or(...out);
}

function constraintValue(label: string, key: string, want: string, have: string | null | undefined): Tri {
  if (have === null)
    return {
      v: 'maybe',
      reason: `${label} constrains encryption context ${key}, whose value is not known before the task starts`,
    };
  return have === want ? yes() : NO;
}

/**
 * kms:Decrypt for the role on one key: key policy (naming the role, or delegating to IAM via the
 * account root) + identity policies + boundary + grants. AWS-managed keys need no grant: their key
 * policy allows every principal in the account through the owning service (docs/aws-facts.md §4.4).
 */
export function evaluateKmsDecrypt(
  role: RolePolicies,
  req: AccessRequest,
  key: KmsKeyAccessState,
): AccessDecision {
  const { identity, boundary, boundaryAllow } = identityLayers(role, req);
  const who: RequestPrincipal = { kind: 'aws', arn: req.principalArn, account: req.principalAccount };

  if (key.keyManager === 'AWS') {
    const deny = or(identity.deny, boundary?.deny ?? NO);
    const keyAllow = yes(
      `AWS-managed key ${key.keyArn}: its key policy allows every principal in the account through the service`,
    );
    const allow = and(
      keyAllow,
      boundaryAllow.v === 'no'
        ? {
            v: 'maybe',
            reason: `the ${boundaryName(role)} does not allow kms:Decrypt; AWS does not document whether it limits an AWS-managed key's policy`,
          }
        : boundaryAllow,
    );
    return decide(deny, allow, () => 'unreachable');
  }

  const keyPolicy: LayerVerdict = key.keyPolicy
    ? scanLayer([key.keyPolicy], req, { principal: who, hasBoundary: !!role.permissionsBoundary })
    : (() => {
        const m: Tri = {
          v: 'maybe',
          reason: 'the key policy was not read',
          lackingPermission: 'kms:GetKeyPolicy',
        };
        return { deny: m, allow: m, allowAccount: m };
      })();
  const grants = grantVerdict(key.grants, req);
  const deny = or(identity.deny, boundary?.deny ?? NO, keyPolicy.deny);
  const viaIam = and(keyPolicy.allowAccount, identity.allow);
  // A key policy that names the role ARN is a resource policy: still limited by the boundary.
  const viaPolicies = and(or(keyPolicy.allow, viaIam), boundaryAllow);
  const grantBoundary: Tri =
    boundaryAllow.v === 'yes'
      ? boundaryAllow
      : {
          v: 'maybe',
          reason: `the ${boundaryName(role)} does not allow kms:Decrypt, and AWS does not document whether a boundary limits a KMS grant`,
        };
  const viaGrant = and(grants, grantBoundary);
  const allow = or(viaPolicies, viaGrant);
  return decide(deny, allow, () => {
    const noKeyPolicyPath = keyPolicy.allow.v === 'no' && keyPolicy.allowAccount.v === 'no';
    if (noKeyPolicyPath && grants.v === 'no') {
      return `the key policy of ${key.keyArn} neither names the role nor delegates to IAM (account root), and no grant gives the role Decrypt`;
    }
    if (keyPolicy.allow.v === 'no' && identity.allow.v === 'no' && grants.v === 'no') {
      return `the key policy of ${key.keyArn} delegates to IAM (account root), but no identity policy of the role allows kms:Decrypt on it`;
    }
    if (boundaryAllow.v === 'no')
      return `the ${boundaryName(role)} does not allow kms:Decrypt on ${key.keyArn}`;
    return `nothing allows kms:Decrypt on ${key.keyArn} for this request`;
  });
}

/** Does the trust policy let `service` (e.g. `ecs-tasks.amazonaws.com`) call sts:AssumeRole? */
export function evaluateTrustPolicy(
  document: string | object,
  service: string,
  context: ConditionContext = { values: {} },
  /** `document` already parsed (when it was read); parsed here when absent. */
  parsed?: ParsedPolicy | undefined,
): AccessDecision {
  const req: AccessRequest = {
    action: 'sts:AssumeRole',
    resource: '*',
    principalArn: service,
    principalAccount: '',
    context,
  };
  const layer = scanLayer([{ source: 'trust policy', document, parsed }], req, {
    principal: { kind: 'service', service },
  });
  return decide(
    layer.deny,
    layer.allow,
    () => `the trust policy does not allow ${service} to call sts:AssumeRole`,
  );
}

/** How a customer key's policy relates to the role, for choosing the fix (IAM policy vs key policy). */
export interface KeyPolicyPaths {
  /** An Allow statement names the role (or `*`) for this request. */
  namesRole: 'yes' | 'no' | 'maybe';
  /** An Allow statement names the account root: IAM policies can grant access. */
  delegatesToIam: 'yes' | 'no' | 'maybe';
}

/** Reads the two key-policy paths for a request; `maybe` when the policy is unreadable or conditional. */
export function analyzeKeyPolicy(req: AccessRequest, keyPolicy: PolicySource | undefined): KeyPolicyPaths {
  if (!keyPolicy) return { namesRole: 'maybe', delegatesToIam: 'maybe' };
  const who: RequestPrincipal = { kind: 'aws', arn: req.principalArn, account: req.principalAccount };
  const layer = scanLayer([keyPolicy], req, { principal: who });
  return { namesRole: layer.allow.v, delegatesToIam: layer.allowAccount.v };
}
