/**
 * The `secrets check` engine: given a task definition's secret references and the metadata read
 * from SSM, Secrets Manager, KMS and IAM (never a secret value), decide per reference whether the
 * execution role can read and decrypt it at task start, compare with the task role, and report
 * findings with remediations and a least-privilege fix.
 */

import {
  accountOfArn,
  ecsAssumeRoleContext,
  kmsDecryptRequest,
  secretsManagerGetSecretValueRequest,
  ssmGetParametersRequest,
} from '../iam/ecs-request.js';
import {
  type AccessDecision,
  type AccessRequest,
  analyzeKeyPolicy,
  evaluateIdentityAccess,
  evaluateKmsDecrypt,
  evaluateSecretsManagerAccess,
  evaluateTrustPolicy,
  type KmsGrants,
  type RolePolicies,
} from '../iam/evaluate.js';
import {
  type FixPolicyDocument,
  type FixStatement,
  planExecutionRolePolicy,
  planKeyPolicyStatement,
  secretArnForPolicy,
} from '../iam/fix-policy.js';
import type { ParsedPolicy, PolicySource, UnreadableDocument } from '../iam/policy.js';
import type { ParameterMetadata } from '../ssm-types.js';
import type { ParsedTaskDefinition, TaskDefinitionView } from '../task-definition/parse.js';
import { prepareMigration } from './migrate.js';
import {
  findReferenceProblems,
  parseSecretReference,
  partitionForRegion,
  type SecretReference,
  ssmParameterArn,
} from './reference.js';

/** Where in the task definition a reference came from. */
export type ReferenceSource = 'secrets' | 'logConfiguration.secretOptions' | 'repositoryCredentials';

/** One reference found in the task definition. */
export interface TaskSecretReference {
  containerName: string;
  /** The env var / option name (`DB_URL`); for repositoryCredentials, `credentialsParameter`. */
  name: string;
  valueFrom: string;
  source: ReferenceSource;
  /** JSON path in the task definition, e.g. `containerDefinitions[0].secrets[2].valueFrom`. */
  path: string;
}

/** The result of one metadata read: found, proven missing, or not readable (with the denied action). */
export type Lookup<T> =
  | { status: 'found'; value: T }
  | { status: 'missing' }
  | { status: 'unreadable'; lackingPermission: string; reason: string };

/** DescribeSecret + GetResourcePolicy, never the value. */
export interface SecretMetadataState {
  arn: string;
  name: string;
  /** As DescribeSecret reports it; undefined means the AWS-managed `aws/secretsmanager` key. */
  kmsKeyId?: string | undefined;
  /** Undefined when the secret has no resource policy. */
  resourcePolicy?: PolicySource | undefined;
}

/** DescribeKey + ListAliases + GetKeyPolicy + ListGrants. */
export interface KmsKeyState {
  keyArn: string;
  keyId: string;
  keyManager: 'AWS' | 'CUSTOMER';
  /** `Enabled`, `Disabled`, `PendingDeletion`, ... */
  keyState?: string | undefined;
  aliases: readonly string[];
  keyPolicy?: PolicySource | undefined;
  grants?: KmsGrants | undefined;
}

/** GetRole + its policies. */
export interface RoleState {
  roleArn: string;
  trustPolicy: string | object | UnreadableDocument;
  /** `trustPolicy` parsed when it was read, so each check of the role does not parse it again. */
  trustPolicyParsed?: ParsedPolicy | undefined;
  identityPolicies: readonly PolicySource[];
  permissionsBoundary?: PolicySource | undefined;
}

/** Everything the engine needs; the maps are keyed with the `*LookupKey` helpers below. */
export interface SecretsCheckInput {
  /** The task's region and account. */
  region: string;
  account: string;
  references: readonly TaskSecretReference[];
  executionRoleArn?: string | undefined;
  taskRoleArn?: string | undefined;
  /** Keyed by role ARN. */
  roles: Readonly<Record<string, Lookup<RoleState>>>;
  /** Keyed by parameter ARN (`parameterLookupKey`). */
  parameters: Readonly<Record<string, Lookup<ParameterMetadata>>>;
  /** Keyed by the SecretId passed to DescribeSecret (`secretLookupKey`). */
  secrets: Readonly<Record<string, Lookup<SecretMetadataState>>>;
  /** Keyed by `kmsKeyLookupKey(region, keyId)`. */
  keys: Readonly<Record<string, Lookup<KmsKeyState>>>;
  /** Name of the inline policy `--fix` proposes. */
  fixPolicyName?: string | undefined;
  /** Containers that still load secrets through an env-loading wrapper (`findWrapperUses`). */
  wrappers?: readonly WrapperUse[] | undefined;
  /** The `secrets migrate` command line for this task definition, for the wrapper finding's remediation. */
  migrateCommand?: string | undefined;
}

/** A container that still loads its secrets through an env-loading wrapper at runtime. */
export interface WrapperUse {
  containerName: string;
  /** The wrapper, when an adapter recognised it. */
  tool?: string | undefined;
  /** Why `secrets migrate` would not migrate it as is (its refusal), when it would not. */
  detail?: string | undefined;
}

/** Stable finding codes (documented in the README; scripts may match on them). */
export const FINDING_CODES = [
  'reference-unparseable',
  'ssm-version-selector',
  'cross-account-ssm',
  'cross-region-reference',
  'parameter-missing',
  'secret-missing',
  'kms-key-missing',
  'kms-key-disabled',
  'no-execution-role',
  'execution-role-missing',
  'execution-role-bad-trust',
  'execution-role-cannot-read',
  'execution-role-cannot-decrypt',
  'task-role-can-but-execution-role-cannot',
  'role-in-other-account',
  'wrapper-not-migrated',
  'unknown',
] as const;
/** A finding code. */
export type FindingCode = (typeof FINDING_CODES)[number];

/** One finding: `error` fails the check, `warning` means ecsops could not decide, `info` is a note. */
export interface SecretsCheckFinding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  containerName?: string | undefined;
  name?: string | undefined;
  valueFrom?: string | undefined;
  message: string;
  remediation: string;
  /** For `unknown`: the IAM action ecsops lacked to decide. */
  lackingPermission?: string | undefined;
}

/** A decrypt cell: a decision, or "no key involved" (String parameters). */
export type DecryptCell = AccessDecision | { decision: 'not-needed'; reason: string };

/** What one role can do with one reference. Undefined cells were not evaluated. */
export interface RoleAccessCells {
  read?: AccessDecision | undefined;
  decrypt?: DecryptCell | undefined;
}

/** One table row per reference. */
export interface SecretsCheckRow {
  containerName: string;
  name: string;
  valueFrom: string;
  source: ReferenceSource;
  path: string;
  kind: SecretReference['kind'] | 'secretsmanager-name';
  exists: 'yes' | 'no' | 'unknown' | 'n/a';
  /** `AWS-managed`, a CMK alias (`alias/x`) or key id, `none` for String parameters, or `unknown`. */
  key: string;
  execution: RoleAccessCells;
  task?: RoleAccessCells | undefined;
}

/** The `--fix` output. */
export interface SecretsCheckFix {
  roleArn: string;
  policyName: string;
  /** Undefined when the execution role needs nothing more from IAM. */
  policy?: FixPolicyDocument | undefined;
  /** Statements a human must add to key policies that neither delegate to IAM nor name the role. */
  keyPolicyStatements: readonly { keyArn: string; statement: FixStatement }[];
}

/** The whole check result. `status` maps to exit codes 0 / 1 / 3. */
export interface SecretsCheckResult {
  status: 'ok' | 'findings' | 'incomplete';
  rows: SecretsCheckRow[];
  findings: SecretsCheckFinding[];
  fix?: SecretsCheckFix | undefined;
}

/** Every secret reference of a task definition: container `secrets`, log `secretOptions`, registry credentials. */
export function referencesFromTaskDefinition(view: TaskDefinitionView): TaskSecretReference[] {
  const out: TaskSecretReference[] = [];
  for (const c of view.containers) {
    c.secrets.forEach((s, i) => {
      out.push({
        containerName: c.name,
        name: s.name,
        valueFrom: s.valueFrom,
        source: 'secrets',
        path: `${c.path}.secrets[${i}].valueFrom`,
      });
    });
    c.logSecretOptions.forEach((s, i) => {
      out.push({
        containerName: c.name,
        name: s.name,
        valueFrom: s.valueFrom,
        source: 'logConfiguration.secretOptions',
        path: `${c.path}.logConfiguration.secretOptions[${i}].valueFrom`,
      });
    });
    if (c.credentialsParameter !== undefined) {
      out.push({
        containerName: c.name,
        name: 'credentialsParameter',
        valueFrom: c.credentialsParameter,
        source: 'repositoryCredentials',
        path: `${c.path}.repositoryCredentials.credentialsParameter`,
      });
    }
  }
  return out;
}

// ---- lookup keys and read planning -------------------------------------------------------------

/** Map key for a parameter: its ARN. */
export function parameterLookupKey(parameterArn: string): string {
  return parameterArn;
}

/** Map key for a secret: the SecretId passed to DescribeSecret (ARN without suffix, or a name). */
export function secretLookupKey(secretId: string): string {
  return secretId;
}

/** Map key for a KMS key id as SSM / Secrets Manager report it, in the resource's region. */
export function kmsKeyLookupKey(region: string, keyId: string): string {
  return keyId.startsWith('arn:') ? keyId : `${region}/${keyId}`;
}

/** True for `alias/aws/...` (or its ARN): reserved for AWS-managed keys, no DescribeKey needed. */
export function isAwsManagedAlias(keyId: string): boolean {
  return /^(arn:[^:]+:kms:[^:]*:\d*:)?alias\/aws\//.test(keyId);
}

/** Where a reference's value lives, resolved against the task's region and account. */
export type ReferenceTarget =
  | { store: 'ssm'; region: string; account: string; name: string; parameterArn: string }
  | {
      store: 'secretsmanager';
      region: string;
      account: string;
      /** What DescribeSecret takes. */
      secretId: string;
      versionStage?: string | undefined;
      versionId?: string | undefined;
      /** Set for `/aws/reference/secretsmanager/NAME`: SSM's GetParameters is checked on this ARN too. */
      viaSsmParameterArn?: string | undefined;
    };

/**
 * The target of a parsed reference, or undefined when it cannot be fetched (unparseable).
 * repositoryCredentials takes a secret name where others take an SSM name.
 */
export function referenceTarget(
  ref: SecretReference,
  source: ReferenceSource,
  task: { region: string; account: string },
): ReferenceTarget | undefined {
  const partition = partitionForRegion(task.region);
  switch (ref.kind) {
    case 'unparseable':
      return undefined;
    case 'ssm-name':
      if (source === 'repositoryCredentials') {
        return { store: 'secretsmanager', region: task.region, account: task.account, secretId: ref.name };
      }
      return {
        store: 'ssm',
        region: task.region,
        account: task.account,
        name: ref.name,
        parameterArn: ssmParameterArn(partition, task.region, task.account, ref.name),
      };
    case 'ssm-arn':
      return {
        store: 'ssm',
        region: ref.region,
        account: ref.account,
        name: ref.name,
        parameterArn: ssmParameterArn(ref.partition, ref.region, ref.account, ref.name),
      };
    case 'ssm-secretsmanager-reference':
      return {
        store: 'secretsmanager',
        region: task.region,
        account: task.account,
        secretId: ref.secretId,
        viaSsmParameterArn: ssmParameterArn(partition, task.region, task.account, ref.name),
      };
    case 'secretsmanager-arn':
      return {
        store: 'secretsmanager',
        region: ref.region,
        account: ref.account,
        secretId: ref.secretArn,
        versionStage: ref.versionStage,
        versionId: ref.versionId,
      };
  }
}

/** The reads a check needs before keys: parameters by region and secrets by id (deduplicated). */
export function planSecretsCheckReads(
  references: readonly TaskSecretReference[],
  task: { region: string; account: string },
): {
  parameters: { region: string; name: string; parameterArn: string }[];
  secrets: { region: string; secretId: string }[];
} {
  const parameters = new Map<string, { region: string; name: string; parameterArn: string }>();
  const secrets = new Map<string, { region: string; secretId: string }>();
  for (const r of references) {
    const ref = parseSecretReference(r.valueFrom);
    if (findReferenceProblems(ref, task).some((p) => p.severity === 'error')) continue;
    const t = referenceTarget(ref, r.source, task);
    if (t?.store === 'ssm')
      parameters.set(t.parameterArn, { region: t.region, name: t.name, parameterArn: t.parameterArn });
    if (t?.store === 'secretsmanager') secrets.set(t.secretId, { region: t.region, secretId: t.secretId });
  }
  return { parameters: [...parameters.values()], secrets: [...secrets.values()] };
}

/** The KMS key ids to describe, from what the parameter and secret reads returned. */
export function planKmsKeyReads(
  input: Pick<SecretsCheckInput, 'references' | 'region' | 'account' | 'parameters' | 'secrets'>,
): { region: string; keyId: string }[] {
  const out = new Map<string, { region: string; keyId: string }>();
  for (const r of input.references) {
    const ref = parseSecretReference(r.valueFrom);
    const t = referenceTarget(ref, r.source, input);
    const keyId = t ? keyIdOf(t, input) : undefined;
    if (t && keyId && !isAwsManagedAlias(keyId))
      out.set(kmsKeyLookupKey(t.region, keyId), { region: t.region, keyId });
  }
  return [...out.values()];
}

function keyIdOf(
  t: ReferenceTarget,
  input: Pick<SecretsCheckInput, 'parameters' | 'secrets'>,
): string | undefined {
  if (t.store === 'ssm') {
    const p = input.parameters[parameterLookupKey(t.parameterArn)];
    if (p?.status !== 'found' || p.value.type !== 'SecureString') return undefined;
    return p.value.keyId ?? 'alias/aws/ssm';
  }
  const s = input.secrets[secretLookupKey(t.secretId)];
  if (s?.status !== 'found') return undefined;
  return s.value.kmsKeyId ?? 'alias/aws/secretsmanager';
}

// ---- the engine --------------------------------------------------------------------------------

const isNo = (d: AccessDecision | undefined): boolean =>
  d?.decision === 'denied' || d?.decision === 'not-allowed';

/** Combines two decisions that must both allow (SSM reference to Secrets Manager). */
function both(a: AccessDecision, b: AccessDecision): AccessDecision {
  for (const kind of ['denied', 'not-allowed', 'unknown'] as const) {
    if (a.decision === kind) return a;
    if (b.decision === kind) return b;
  }
  const by = (d: AccessDecision) => (d.decision === 'allowed' ? d.allowedBy : []);
  return { decision: 'allowed', allowedBy: [...by(a), ...by(b)] };
}

function describeDecision(d: AccessDecision): string {
  switch (d.decision) {
    case 'allowed':
      return `allowed by ${d.allowedBy.join('; ')}`;
    case 'denied':
      return `explicitly denied by ${d.deniedBy}`;
    case 'not-allowed':
      return d.reason;
    case 'unknown':
      return d.reason;
  }
}

interface Evaluated {
  read?: AccessDecision;
  decrypt?: DecryptCell;
  /** For the fix: what would make `read` / `decrypt` allowed. */
  readNeeds: { ssm: string[]; secrets: string[] };
  decryptNeeds?: { keyArn: string; via: string; keyPolicyStatement: boolean };
}

interface ResolvedReference {
  target: ReferenceTarget;
  resourceArn: string | undefined;
  secretFullArn?: string | undefined;
  secretHasFullArn: boolean;
  resourcePolicy?: PolicySource | undefined;
  key: { keyId: string; state: Lookup<KmsKeyState> | { status: 'aws-alias' } } | undefined;
}

function evaluateRole(role: RolePolicies, r: ResolvedReference): Evaluated {
  const out: Evaluated = { readNeeds: { ssm: [], secrets: [] } };
  const t = r.target;
  if (t.store === 'ssm') {
    out.read = evaluateIdentityAccess(role, ssmGetParametersRequest(role.roleArn, t.parameterArn));
    if (isNo(out.read)) out.readNeeds.ssm.push(t.parameterArn);
  } else {
    let read: AccessDecision | undefined;
    if (r.secretFullArn) {
      const req = secretsManagerGetSecretValueRequest(role.roleArn, r.secretFullArn, t);
      read = evaluateSecretsManagerAccess(role, req, r.resourcePolicy);
      if (isNo(read)) out.readNeeds.secrets.push(secretArnForPolicy(r.secretFullArn, r.secretHasFullArn));
    }
    if (t.viaSsmParameterArn) {
      const ssmRead = evaluateIdentityAccess(
        role,
        ssmGetParametersRequest(role.roleArn, t.viaSsmParameterArn),
      );
      if (isNo(ssmRead)) out.readNeeds.ssm.push(t.viaSsmParameterArn);
      read = read ? both(ssmRead, read) : undefined;
    }
    out.read = read;
  }
  if (t.account !== accountOfArn(role.roleArn)) {
    // Cross-account access needs both sides to allow; this evaluator models one account only.
    out.read = {
      decision: 'unknown',
      reason: `the ${t.store === 'ssm' ? 'parameter' : 'secret'} is in account ${t.account}; cross-account access is not evaluated`,
    };
    out.readNeeds = { ssm: [], secrets: [] };
    return out;
  }

  if (!r.key) {
    out.decrypt = r.resourceArn ? { decision: 'not-needed', reason: 'not a SecureString' } : undefined;
    return out;
  }
  const via = t.store === 'ssm' ? 'ssm' : 'secretsmanager';
  const viaService = `${via}.${t.region}.amazonaws.com`;
  const k = r.key.state;
  if (k.status === 'aws-alias' || (k.status === 'found' && k.value.keyManager === 'AWS')) {
    const keyArn = k.status === 'found' ? k.value.keyArn : r.key.keyId;
    const req = kmsDecryptRequest({
      roleArn: role.roleArn,
      keyArn,
      via,
      resourceArn: r.resourceArn ?? '',
      region: t.region,
    });
    out.decrypt = evaluateKmsDecrypt(role, req, { keyArn, keyManager: 'AWS' });
    return out;
  }
  if (k.status !== 'found') {
    out.decrypt =
      k.status === 'missing'
        ? { decision: 'not-allowed', reason: `KMS key ${r.key.keyId} does not exist` }
        : { decision: 'unknown', reason: k.reason, lackingPermission: k.lackingPermission };
    return out;
  }
  if (!r.resourceArn) return out;
  const req: AccessRequest = kmsDecryptRequest({
    roleArn: role.roleArn,
    keyArn: k.value.keyArn,
    via,
    resourceArn: r.resourceArn,
  });
  out.decrypt = evaluateKmsDecrypt(role, req, {
    keyArn: k.value.keyArn,
    keyManager: 'CUSTOMER',
    keyPolicy: k.value.keyPolicy,
    grants: k.value.grants,
  });
  if (out.decrypt.decision === 'not-allowed') {
    const paths = analyzeKeyPolicy(req, k.value.keyPolicy);
    out.decryptNeeds = {
      keyArn: k.value.keyArn,
      via: viaService,
      keyPolicyStatement: paths.delegatesToIam === 'no' && paths.namesRole === 'no',
    };
  }
  return out;
}

function roleLabelKey(key: ResolvedReference['key']): string {
  if (!key) return 'none';
  const s = key.state;
  if (s.status === 'aws-alias') return 'AWS-managed';
  if (s.status === 'missing') return `${key.keyId} (missing)`;
  if (s.status === 'unreadable') return 'unknown';
  if (s.value.keyManager === 'AWS') return 'AWS-managed';
  return s.value.aliases[0] ?? s.value.keyId;
}

/** Runs the whole check. Pure: everything it needs is in `input`. */
export function checkSecrets(input: SecretsCheckInput): SecretsCheckResult {
  const task = { region: input.region, account: input.account };
  const rows: SecretsCheckRow[] = [];
  const findings: SecretsCheckFinding[] = [];
  const needs = { ssm: [] as string[], secrets: [] as string[], kms: new Map<string, Set<string>>() };
  const keyStatements = new Map<string, Set<string>>();

  // Roles first: the execution role is needed whenever references exist.
  const exec = resolveRole(input, input.executionRoleArn, 'execution', findings);
  const taskRole = input.taskRoleArn ? resolveRole(input, input.taskRoleArn, 'task', findings) : undefined;

  for (const r of input.references) {
    const ref = parseSecretReference(r.valueFrom);
    const where = { containerName: r.containerName, name: r.name, valueFrom: r.valueFrom };
    const row: SecretsCheckRow = {
      containerName: r.containerName,
      name: r.name,
      valueFrom: r.valueFrom,
      source: r.source,
      path: r.path,
      kind:
        ref.kind === 'ssm-name' && r.source === 'repositoryCredentials' ? 'secretsmanager-name' : ref.kind,
      exists: 'n/a',
      key: '-',
      execution: {},
    };
    rows.push(row);

    const problems = findReferenceProblems(ref, task);
    for (const p of problems) {
      findings.push({
        code: p.code,
        severity: p.severity,
        ...where,
        message: p.message,
        remediation:
          p.code === 'ssm-version-selector'
            ? 'Remove the ":version" / ":label" suffix; ECS always reads the latest version.'
            : p.code === 'cross-account-ssm'
              ? 'Copy the parameter into the task account, or move the value to Secrets Manager (cross-account ARNs work there).'
              : p.code === 'cross-region-reference'
                ? 'Nothing to do; keep the full ARN (a bare name would resolve in the task region).'
                : 'Use an SSM parameter name or ARN, or a Secrets Manager secret ARN.',
      });
    }
    if (problems.some((p) => p.severity === 'error')) continue;
    const target = referenceTarget(ref, r.source, task);
    if (!target) continue;

    const resolved = resolveReference(input, target, row, where, findings);
    row.key = roleLabelKey(resolved.key);
    if (
      resolved.key?.state.status === 'found' &&
      resolved.key.state.value.keyState &&
      resolved.key.state.value.keyState !== 'Enabled'
    ) {
      findings.push({
        code: 'kms-key-disabled',
        severity: 'error',
        ...where,
        message: `KMS key ${resolved.key.state.value.keyArn} is ${resolved.key.state.value.keyState}; nothing can decrypt with it`,
        remediation: 'Enable the key (or cancel its deletion), or re-encrypt the value under an enabled key.',
      });
    }

    const keyMissing = resolved.key?.state.status === 'missing';
    if (keyMissing) {
      findings.push({
        code: 'kms-key-missing',
        severity: 'error',
        ...where,
        message: `KMS key ${resolved.key?.keyId} (used by this ${target.store === 'ssm' ? 'parameter' : 'secret'}) does not exist`,
        remediation:
          'Re-encrypt the value under an existing key (e.g. put the parameter again with --key-id).',
      });
    }

    const execEval = exec.policies ? evaluateRole(exec.policies, resolved) : undefined;
    const taskEval = taskRole?.policies ? evaluateRole(taskRole.policies, resolved) : undefined;
    row.execution = execEval ? { read: execEval.read, decrypt: execEval.decrypt } : exec.cells;
    if (input.taskRoleArn)
      row.task = taskEval ? { read: taskEval.read, decrypt: taskEval.decrypt } : taskRole?.cells;
    if (!execEval) continue;

    for (const aspect of ['read', 'decrypt'] as const) {
      const d = execEval[aspect];
      if (!d || d.decision === 'allowed' || d.decision === 'not-needed') continue;
      if (aspect === 'decrypt' && keyMissing) continue;
      const action = aspect === 'read' ? readAction(target) : 'kms:Decrypt';
      const resource = aspect === 'read' ? (resolved.resourceArn ?? target.store) : keyName(resolved);
      if (d.decision === 'unknown') {
        findings.push({
          code: 'unknown',
          severity: 'warning',
          ...where,
          message: `could not decide whether the execution role can ${aspect} ${resource}: ${d.reason}`,
          remediation: d.lackingPermission
            ? `Run ecsops with credentials that allow ${d.lackingPermission}, or check by hand.`
            : 'Check this by hand; ecsops does not guess.',
          lackingPermission: d.lackingPermission,
        });
        continue;
      }
      const taskD = taskEval?.[aspect];
      const mixUp = taskD?.decision === 'allowed' && input.taskRoleArn !== input.executionRoleArn;
      const what = `${action} on ${resource}`;
      const keyPolicyOnly = aspect === 'decrypt' && execEval.decryptNeeds?.keyPolicyStatement === true;
      findings.push({
        code: mixUp
          ? 'task-role-can-but-execution-role-cannot'
          : aspect === 'read'
            ? 'execution-role-cannot-read'
            : 'execution-role-cannot-decrypt',
        severity: 'error',
        ...where,
        message: mixUp
          ? `the task role can ${aspect} this secret but the execution role cannot (${describeDecision(d)}); ECS fetches secrets with the execution role`
          : `the execution role cannot ${aspect} this secret: ${describeDecision(d)}`,
        remediation:
          d.decision === 'denied'
            ? `Remove or narrow the explicit deny (${d.deniedBy}); an Allow cannot override it.`
            : `${
                keyPolicyOnly
                  ? `Add a statement naming the execution role to the key policy of ${resource} (see --fix); the key policy does not delegate to IAM, so no IAM policy can grant it`
                  : `Grant the execution role ${what} (see --fix)`
              }${mixUp ? '; the task role no longer needs it.' : '.'}`,
      });
      if (d.decision !== 'not-allowed') continue;
      if (aspect === 'read') {
        needs.ssm.push(...execEval.readNeeds.ssm);
        needs.secrets.push(...execEval.readNeeds.secrets);
      } else if (execEval.decryptNeeds) {
        const n = execEval.decryptNeeds;
        const bucket = n.keyPolicyStatement ? keyStatements : needs.kms;
        bucket.set(n.keyArn, (bucket.get(n.keyArn) ?? new Set()).add(n.via));
      }
    }
  }

  for (const w of input.wrappers ?? []) findings.push(wrapperFinding(w, input.migrateCommand));

  const fix =
    input.executionRoleArn && !isOtherAccount(input, input.executionRoleArn)
      ? {
          roleArn: input.executionRoleArn,
          policyName: input.fixPolicyName ?? 'ecsops-secrets-access',
          policy: planExecutionRolePolicy({
            ssmParameterArns: needs.ssm,
            secretArns: needs.secrets,
            kmsKeys: [...needs.kms.entries()].map(([keyArn, via]) => ({ keyArn, viaServices: [...via] })),
          }),
          keyPolicyStatements: [...keyStatements.entries()].map(([keyArn, via]) => ({
            keyArn,
            statement: planKeyPolicyStatement({
              roleArn: input.executionRoleArn as string,
              viaServices: [...via],
            }),
          })),
        }
      : undefined;

  return { status: statusOf(findings), rows, findings, fix };
}

/** `findings` when any finding is an error, `incomplete` when ecsops could not decide something, else `ok`. */
export function statusOf(findings: readonly SecretsCheckFinding[]): SecretsCheckResult['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'findings';
  if (findings.some((f) => f.severity === 'warning')) return 'incomplete';
  return 'ok';
}

function wrapperFinding(w: WrapperUse, migrateCommand: string | undefined): SecretsCheckFinding {
  const what = w.tool ? `an env-loading wrapper (${w.tool})` : 'an env-loading wrapper';
  const migrate = migrateCommand ?? 'ecsops secrets migrate';
  return {
    code: 'wrapper-not-migrated',
    severity: 'error',
    containerName: w.containerName,
    message: `container ${w.containerName} still loads its secrets through ${what} at runtime${w.detail ? ` (${w.detail})` : ''}; those secrets are not native, so this check cannot see or prove them`,
    remediation: `Migrate them to native secrets with \`${migrate}\` (it checks the new revision's secrets before registering), then check the new revision.`,
  };
}

/**
 * The containers of a task definition that still use an env-loading wrapper, found by the same
 * adapters `secrets migrate` uses (a wrapper it would refuse to migrate counts too).
 */
export function findWrapperUses(parsed: ParsedTaskDefinition, region?: string | undefined): WrapperUse[] {
  const prep = prepareMigration(parsed, { valueFrom: 'arn', region, accountId: undefined });
  const uses = new Map<string, WrapperUse>();
  for (const c of prep.containers)
    uses.set(c.container.name, { containerName: c.container.name, tool: c.tool });
  for (const r of prep.refusals) {
    if (!uses.has(r.container))
      uses.set(r.container, { containerName: r.container, tool: r.tool, detail: r.reason });
  }
  const order = parsed.view.containers.map((c) => c.name);
  return [...uses.values()].sort((a, b) => order.indexOf(a.containerName) - order.indexOf(b.containerName));
}

// ---- IAM policy simulator comparison -----------------------------------------------------------

/** Where IAM's simulator and ecsops disagree on one identity-side question. */
export interface SimulatorComparison {
  containerName: string;
  name: string;
  action: string;
  resource: string;
  ecsops: AccessDecision['decision'];
  simulator: 'allowed' | 'explicitDeny' | 'implicitDeny' | 'error';
  /** Null when the simulator could not answer: nothing was compared. */
  agrees: boolean | null;
  error?: string;
  /** For `error`: the simulator call was refused (the caller lacks iam:SimulatePrincipalPolicy). */
  accessDenied?: boolean;
}

/** How the simulator comparison of one task definition went. */
export interface SimulatorSummary {
  questions: number;
  /** Questions the simulator answered. */
  compared: number;
  disagreements: number;
  failed: number;
  /** `not-compared`: every simulator call failed, so nothing was compared. */
  verdict: 'agrees' | 'disagrees' | 'not-compared' | 'partly-compared';
}

const SIMULATOR_EQUIVALENT: Record<string, SimulatorComparison['simulator']> = {
  allowed: 'allowed',
  denied: 'explicitDeny',
  'not-allowed': 'implicitDeny',
};

/** Whether the simulator's answer agrees with ecsops' identity-only one (our `unknown` is no claim). */
export function simulatorAgrees(
  ours: AccessDecision['decision'],
  simulator: 'allowed' | 'explicitDeny' | 'implicitDeny',
): boolean {
  return ours === 'unknown' || SIMULATOR_EQUIVALENT[ours] === simulator;
}

/** Counts the comparison; a run where every call failed compared nothing, whatever it may look like. */
export function summarizeSimulator(comparisons: readonly SimulatorComparison[]): SimulatorSummary {
  const failed = comparisons.filter((c) => c.simulator === 'error').length;
  const compared = comparisons.length - failed;
  const disagreements = comparisons.filter((c) => c.agrees === false).length;
  const verdict =
    disagreements > 0
      ? 'disagrees'
      : compared === 0 && failed > 0
        ? 'not-compared'
        : failed > 0
          ? 'partly-compared'
          : 'agrees';
  return { questions: comparisons.length, compared, disagreements, failed, verdict };
}

/**
 * The findings of a simulator comparison: one per disagreement, and one when calls failed (the
 * comparison could not be made for those questions). Either makes an `ok` result `incomplete`.
 */
export function planSimulatorFindings(comparisons: readonly SimulatorComparison[]): SecretsCheckFinding[] {
  const findings: SecretsCheckFinding[] = comparisons
    .filter((c) => c.agrees === false)
    .map((c) => ({
      code: 'unknown',
      severity: 'warning',
      containerName: c.containerName,
      name: c.name,
      message: `IAM's policy simulator says ${c.simulator} for ${c.action} on ${c.resource}, ecsops says ${c.ecsops}`,
      remediation:
        'One of the two is wrong: check the policies by hand, and please report the case to ecsops with the policy documents.',
    }));
  const failed = comparisons.filter((c) => c.simulator === 'error');
  const first = failed[0];
  if (first) {
    const all = failed.length === comparisons.length;
    const denied = failed.some((c) => c.accessDenied);
    findings.push({
      code: 'unknown',
      severity: 'warning',
      message: `the comparison with IAM's policy simulator could not be made${all ? '' : ` for ${failed.length} of ${comparisons.length} question(s)`}: ${all ? `every simulator call (${failed.length}) failed` : 'the simulator calls failed'}, first for ${first.action} on ${first.resource}: ${first.error ?? 'unknown error'}`,
      remediation: denied
        ? 'Run ecsops with credentials that allow iam:SimulatePrincipalPolicy, or drop --iam-simulator.'
        : "Re-run later, or drop --iam-simulator; ecsops' own answer above stands on its own.",
      ...(denied ? { lackingPermission: 'iam:SimulatePrincipalPolicy' } : {}),
    });
  }
  return findings;
}

function readAction(t: ReferenceTarget): string {
  if (t.store === 'ssm') return 'ssm:GetParameters';
  return t.viaSsmParameterArn
    ? 'ssm:GetParameters + secretsmanager:GetSecretValue'
    : 'secretsmanager:GetSecretValue';
}

function keyName(r: ResolvedReference): string {
  const s = r.key?.state;
  if (s?.status === 'found') return s.value.keyArn;
  return r.key?.keyId ?? 'its KMS key';
}

function resolveRole(
  input: SecretsCheckInput,
  roleArn: string | undefined,
  which: 'execution' | 'task',
  findings: SecretsCheckFinding[],
): { policies?: RolePolicies; cells: RoleAccessCells } {
  const hasRefs = input.references.length > 0;
  if (!roleArn) {
    if (which === 'execution' && hasRefs) {
      findings.push({
        code: 'no-execution-role',
        severity: 'error',
        message:
          'the task definition has secrets but no executionRoleArn; ECS refuses to register it and cannot fetch them',
        remediation:
          'Set executionRoleArn to a role that trusts ecs-tasks.amazonaws.com and can read the secrets (see --fix).',
      });
    }
    const none: AccessDecision = {
      decision: 'not-allowed',
      reason: 'the task definition has no execution role',
    };
    return { cells: { read: none, decrypt: none } };
  }
  const roleAccount = accountOfArn(roleArn);
  if (isOtherAccount(input, roleArn)) {
    // IAM takes only the role *name*: reading it here would read the caller's same-named role.
    const reason = `${which} role ${roleArn} is in account ${roleAccount}, not the caller's account ${input.account}; ecsops reads and changes roles only in the caller's account`;
    if (hasRefs) {
      findings.push({
        code: 'role-in-other-account',
        severity: which === 'execution' ? 'warning' : 'info',
        message: `${reason}, so it was not checked`,
        remediation: `Run the check with credentials of account ${roleAccount} (e.g. a --profile for that account); checking roles across accounts (--accounts/--assume-role) is not supported.`,
      });
    }
    const unknown: AccessDecision = { decision: 'unknown', reason };
    return { cells: { read: unknown, decrypt: unknown } };
  }
  const state = input.roles[roleArn];
  if (!state || state.status === 'unreadable') {
    const lacking = state?.status === 'unreadable' ? state.lackingPermission : 'iam:GetRole';
    const reason = state?.status === 'unreadable' ? state.reason : 'the role was not read';
    const unknown: AccessDecision = {
      decision: 'unknown',
      reason: `could not read ${which} role ${roleArn}: ${reason}`,
      lackingPermission: lacking,
    };
    if (which === 'execution' && hasRefs) {
      findings.push({
        code: 'unknown',
        severity: 'warning',
        message: unknown.reason,
        remediation: `Run ecsops with credentials that allow ${lacking}.`,
        lackingPermission: lacking,
      });
    }
    return { cells: { read: unknown, decrypt: unknown } };
  }
  if (state.status === 'missing') {
    if (which === 'execution') {
      findings.push({
        code: 'execution-role-missing',
        severity: 'error',
        message: `execution role ${roleArn} does not exist`,
        remediation:
          'Create the role (trusting ecs-tasks.amazonaws.com) or point executionRoleArn at an existing one.',
      });
    }
    const none: AccessDecision = { decision: 'not-allowed', reason: `role ${roleArn} does not exist` };
    return { cells: { read: none, decrypt: none } };
  }
  const role = state.value;
  if (which === 'execution') {
    const trust = isUnreadableDoc(role.trustPolicy)
      ? ({
          decision: 'unknown',
          reason: role.trustPolicy.reason,
          lackingPermission: role.trustPolicy.lackingPermission,
        } as const)
      : evaluateTrustPolicy(
          role.trustPolicy,
          'ecs-tasks.amazonaws.com',
          ecsAssumeRoleContext(input.account),
          role.trustPolicyParsed,
        );
    if (trust.decision === 'denied' || trust.decision === 'not-allowed') {
      findings.push({
        code: 'execution-role-bad-trust',
        severity: 'error',
        message: `execution role ${roleArn} cannot be assumed by ECS: ${describeDecision(trust)}`,
        remediation:
          'Add a trust statement: {"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}.',
      });
    } else if (trust.decision === 'unknown') {
      findings.push({
        code: 'unknown',
        severity: 'warning',
        message: `could not decide whether ECS can assume execution role ${roleArn}: ${trust.reason}`,
        remediation: 'Check the trust policy by hand.',
        lackingPermission: trust.lackingPermission,
      });
    }
  }
  return {
    policies: {
      roleArn: role.roleArn,
      identityPolicies: role.identityPolicies,
      permissionsBoundary: role.permissionsBoundary,
    },
    cells: {},
  };
}

/** True when a role ARN names another account than the one the check runs as (never read, never written). */
export function isOtherAccount(input: Pick<SecretsCheckInput, 'account'>, roleArn: string): boolean {
  return input.account !== '' && accountOfArn(roleArn) !== input.account;
}

function isUnreadableDoc(doc: unknown): doc is UnreadableDocument {
  return typeof doc === 'object' && doc !== null && (doc as { unreadable?: unknown }).unreadable === true;
}

function resolveReference(
  input: SecretsCheckInput,
  target: ReferenceTarget,
  row: SecretsCheckRow,
  where: { containerName: string; name: string; valueFrom: string },
  findings: SecretsCheckFinding[],
): ResolvedReference {
  const out: ResolvedReference = { target, resourceArn: undefined, secretHasFullArn: false, key: undefined };
  const unknownRead = (what: string, l: { lackingPermission: string; reason: string }) => {
    row.exists = 'unknown';
    findings.push({
      code: 'unknown',
      severity: 'warning',
      ...where,
      message: `could not read the metadata of ${what}: ${l.reason}`,
      remediation: `Run ecsops with credentials that allow ${l.lackingPermission}.`,
      lackingPermission: l.lackingPermission,
    });
  };
  if (target.store === 'ssm') {
    out.resourceArn = target.parameterArn;
    const p = input.parameters[parameterLookupKey(target.parameterArn)];
    if (!p || p.status === 'unreadable') {
      unknownRead(
        `parameter ${target.name}`,
        p ?? { lackingPermission: 'ssm:DescribeParameters', reason: 'not read' },
      );
      return out;
    }
    if (p.status === 'missing') {
      row.exists = 'no';
      findings.push({
        code: 'parameter-missing',
        severity: 'error',
        ...where,
        message: `SSM parameter ${target.name} does not exist in ${target.region}; the task would fail with ResourceInitializationError`,
        remediation: 'Create the parameter, or fix the name/region in valueFrom.',
      });
      return out;
    }
    row.exists = 'yes';
    if (p.value.arn) out.resourceArn = p.value.arn;
    if (p.value.type === 'SecureString')
      out.key = keyState(input, target.region, p.value.keyId ?? 'alias/aws/ssm');
    return out;
  }
  const s = input.secrets[secretLookupKey(target.secretId)];
  if (!s || s.status === 'unreadable') {
    unknownRead(
      `secret ${target.secretId}`,
      s ?? { lackingPermission: 'secretsmanager:DescribeSecret', reason: 'not read' },
    );
    return out;
  }
  if (s.status === 'missing') {
    row.exists = 'no';
    findings.push({
      code: 'secret-missing',
      severity: 'error',
      ...where,
      message: `Secrets Manager secret ${target.secretId} does not exist; the task would fail with ResourceInitializationError`,
      remediation: 'Create the secret, or fix the ARN in valueFrom.',
    });
    return out;
  }
  row.exists = 'yes';
  out.resourceArn = s.value.arn;
  out.secretFullArn = s.value.arn;
  // DescribeSecret returns the full ARN, random suffix included.
  out.secretHasFullArn = true;
  out.resourcePolicy = s.value.resourcePolicy;
  out.key = keyState(input, target.region, s.value.kmsKeyId ?? 'alias/aws/secretsmanager');
  return out;
}

function keyState(input: SecretsCheckInput, region: string, keyId: string): ResolvedReference['key'] {
  if (isAwsManagedAlias(keyId)) return { keyId, state: { status: 'aws-alias' } };
  const k = input.keys[kmsKeyLookupKey(region, keyId)];
  return {
    keyId,
    state: k ?? {
      status: 'unreadable',
      lackingPermission: 'kms:DescribeKey',
      reason: `KMS key ${keyId} was not read`,
    },
  };
}

/** One identity-side question for IAM's simulator, with our own identity-only answer to compare. */
export interface IdentityQuestion {
  containerName: string;
  name: string;
  request: AccessRequest;
  ours: AccessDecision;
}

/**
 * The execution role's identity-side questions (identity policies + boundary only, no resource or
 * key policy), which is exactly what SimulatePrincipalPolicy can answer for a role.
 */
export function planIdentityQuestions(input: SecretsCheckInput): IdentityQuestion[] {
  const roleArn = input.executionRoleArn;
  const state = roleArn ? input.roles[roleArn] : undefined;
  if (!roleArn || state?.status !== 'found') return [];
  const role: RolePolicies = {
    roleArn,
    identityPolicies: state.value.identityPolicies,
    permissionsBoundary: state.value.permissionsBoundary,
  };
  const task = { region: input.region, account: input.account };
  const out: IdentityQuestion[] = [];
  const seen = new Set<string>();
  const ask = (r: TaskSecretReference, request: AccessRequest) => {
    const key = `${request.action} ${request.resource}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({
      containerName: r.containerName,
      name: r.name,
      request,
      ours: evaluateIdentityAccess(role, request),
    });
  };
  for (const r of input.references) {
    const ref = parseSecretReference(r.valueFrom);
    if (findReferenceProblems(ref, task).some((p) => p.severity === 'error')) continue;
    const t = referenceTarget(ref, r.source, task);
    if (!t) continue;
    let resourceArn: string | undefined;
    if (t.store === 'ssm') {
      const p = input.parameters[parameterLookupKey(t.parameterArn)];
      resourceArn = p?.status === 'found' ? (p.value.arn ?? t.parameterArn) : t.parameterArn;
      ask(r, ssmGetParametersRequest(roleArn, resourceArn));
    } else {
      if (t.viaSsmParameterArn) ask(r, ssmGetParametersRequest(roleArn, t.viaSsmParameterArn));
      const sm = input.secrets[secretLookupKey(t.secretId)];
      if (sm?.status !== 'found') continue;
      resourceArn = sm.value.arn;
      ask(r, secretsManagerGetSecretValueRequest(roleArn, resourceArn, t));
    }
    const keyId = keyIdOf(t, input);
    if (!keyId || isAwsManagedAlias(keyId)) continue;
    const k = input.keys[kmsKeyLookupKey(t.region, keyId)];
    if (k?.status !== 'found' || k.value.keyManager === 'AWS') continue;
    ask(
      r,
      kmsDecryptRequest({
        roleArn,
        keyArn: k.value.keyArn,
        via: t.store === 'ssm' ? 'ssm' : 'secretsmanager',
        resourceArn,
      }),
    );
  }
  return out;
}
