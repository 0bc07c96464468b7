/**
 * `valueFrom` references of ECS native secrets: parse them into SSM / Secrets Manager forms, flag
 * the forms ECS rejects, and build the ARNs IAM evaluates (docs/env-tools.md §0, docs/aws-facts.md §4.4).
 */

/** A parsed `valueFrom`. `selector` is an SSM `:version` / `:label` suffix, which ECS rejects. */
export type SecretReference =
  | { kind: 'ssm-name'; valueFrom: string; name: string; selector?: string | undefined }
  | {
      kind: 'ssm-arn';
      valueFrom: string;
      partition: string;
      region: string;
      account: string;
      name: string;
      selector?: string | undefined;
    }
  | {
      /** `/aws/reference/secretsmanager/NAME`: SSM fetches the secret `NAME` from Secrets Manager. */
      kind: 'ssm-secretsmanager-reference';
      valueFrom: string;
      name: string;
      secretId: string;
    }
  | {
      kind: 'secretsmanager-arn';
      valueFrom: string;
      partition: string;
      region: string;
      account: string;
      /** The secret name, without the random suffix when it was present. */
      secretName: string;
      /** The ARN without the `:json-key:stage:id` suffix: what DescribeSecret takes. */
      secretArn: string;
      /** True when the ARN ends in `-xxxxxx` (full ARN); a partial ARN lacks it. */
      hasRandomSuffix: boolean;
      jsonKey?: string | undefined;
      versionStage?: string | undefined;
      versionId?: string | undefined;
    }
  | { kind: 'unparseable'; valueFrom: string; reason: string };

const SSM_NAME = /^[A-Za-z0-9_.\-/]+$/;
const SM_REFERENCE_PREFIX = '/aws/reference/secretsmanager/';

/** The partition of a region: `aws-cn` for cn-*, `aws-us-gov` for us-gov-*, else `aws`. */
export function partitionForRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of an SSM parameter: `/a/b` -> `…:parameter/a/b`, flat `a` -> `…:parameter/a`. */
export function ssmParameterArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
}

/** The parameter name inside an SSM ARN's resource part (`parameter/a/b` -> `/a/b`, `parameter/a` -> `a`). */
export function ssmNameFromArnResource(resource: string): string {
  const rest = resource.slice('parameter/'.length);
  return rest.includes('/') ? `/${rest}` : rest;
}

/** The ARN prefix of a Secrets Manager secret (without the `-xxxxxx` suffix when unknown). */
export function secretsManagerSecretArn(
  partition: string,
  region: string,
  account: string,
  name: string,
): string {
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`;
}

function splitSelector(name: string): { name: string; selector?: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { name } : { name: name.slice(0, colon), selector: name.slice(colon + 1) };
}

/** Parses one `valueFrom`. Never throws; an unrecognised string becomes `unparseable` with why. */
export function parseSecretReference(valueFrom: string): SecretReference {
  const v = valueFrom.trim();
  if (v === '') return { kind: 'unparseable', valueFrom, reason: 'valueFrom is empty' };
  if (v.startsWith('arn:')) return parseArn(valueFrom, v);

  if (v.startsWith(SM_REFERENCE_PREFIX)) {
    const secretId = v.slice(SM_REFERENCE_PREFIX.length);
    if (secretId === '')
      return { kind: 'unparseable', valueFrom, reason: 'the Secrets Manager reference names no secret' };
    return { kind: 'ssm-secretsmanager-reference', valueFrom, name: v, secretId };
  }
  const { name, selector } = splitSelector(v);
  if (!SSM_NAME.test(name)) {
    return {
      kind: 'unparseable',
      valueFrom,
      reason: 'not an ARN, and not a valid SSM parameter name (letters, digits, _ . - /)',
    };
  }
  return { kind: 'ssm-name', valueFrom, name, ...(selector !== undefined ? { selector } : {}) };
}

function parseArn(valueFrom: string, v: string): SecretReference {
  const parts = v.split(':');
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (!partition || !region || !account || !/^\d{12}$/.test(account)) {
    return { kind: 'unparseable', valueFrom, reason: 'ARN lacks a partition, region or 12-digit account' };
  }
  if (service === 'ssm') {
    if (!resource.startsWith('parameter/') || resource === 'parameter/') {
      return { kind: 'unparseable', valueFrom, reason: 'SSM ARN is not of the form …:parameter/NAME' };
    }
    const { name: raw, selector } = splitSelector(resource);
    const name = ssmNameFromArnResource(raw);
    if (!SSM_NAME.test(name))
      return { kind: 'unparseable', valueFrom, reason: 'SSM ARN holds an invalid parameter name' };
    return {
      kind: 'ssm-arn',
      valueFrom,
      partition,
      region,
      account,
      name,
      ...(selector !== undefined ? { selector } : {}),
    };
  }
  if (service === 'secretsmanager') {
    if (!resource.startsWith('secret:')) {
      return {
        kind: 'unparseable',
        valueFrom,
        reason: 'Secrets Manager ARN is not of the form …:secret:NAME',
      };
    }
    const fields = resource.slice('secret:'.length).split(':');
    // ECS accepts the bare ARN or exactly three more fields (json-key:version-stage:version-id),
    // any of which may be empty.
    if (fields.length !== 1 && fields.length !== 4) {
      return {
        kind: 'unparseable',
        valueFrom,
        reason:
          'a Secrets Manager reference takes either no suffix or exactly :json-key:version-stage:version-id',
      };
    }
    const [nameWithSuffix = '', jsonKey, versionStage, versionId] = fields;
    if (nameWithSuffix === '')
      return { kind: 'unparseable', valueFrom, reason: 'Secrets Manager ARN names no secret' };
    if (versionStage && versionId) {
      return {
        kind: 'unparseable',
        valueFrom,
        reason: 'a Secrets Manager reference may give a version stage or a version id, not both',
      };
    }
    // The random suffix is `-` + 6 characters; a name that itself ends that way is indistinguishable,
    // which is why DescribeSecret's ARN is used for everything IAM evaluates.
    const hasRandomSuffix = /-[A-Za-z0-9]{6}$/.test(nameWithSuffix);
    const secretName = hasRandomSuffix ? nameWithSuffix.slice(0, -7) : nameWithSuffix;
    return {
      kind: 'secretsmanager-arn',
      valueFrom,
      partition,
      region,
      account,
      secretName,
      secretArn: secretsManagerSecretArn(partition, region, account, nameWithSuffix),
      hasRandomSuffix,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    };
  }
  return {
    kind: 'unparseable',
    valueFrom,
    reason: `ARN of service "${service}" is neither ssm nor secretsmanager`,
  };
}

/** Where a reference lives relative to the task: the region and account that serve it. */
export interface ReferenceHome {
  region: string;
  account: string;
}

/** A problem with the reference form itself, found without any AWS call. */
export interface ReferenceProblem {
  code: 'ssm-version-selector' | 'cross-account-ssm' | 'cross-region-reference' | 'reference-unparseable';
  severity: 'error' | 'info';
  message: string;
}

/** The region and account a parsed reference resolves in; names resolve in the task's own. */
export function referenceHome(ref: SecretReference, task: ReferenceHome): ReferenceHome {
  if (ref.kind === 'ssm-arn' || ref.kind === 'secretsmanager-arn')
    return { region: ref.region, account: ref.account };
  return task;
}

/** Forms ECS rejects (SSM selectors, cross-account SSM ARNs) and notes (cross-region ARNs). */
export function findReferenceProblems(ref: SecretReference, task: ReferenceHome): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  if (ref.kind === 'unparseable') {
    out.push({ code: 'reference-unparseable', severity: 'error', message: ref.reason });
    return out;
  }
  if ((ref.kind === 'ssm-name' || ref.kind === 'ssm-arn') && ref.selector !== undefined) {
    out.push({
      code: 'ssm-version-selector',
      severity: 'error',
      message: `ECS rejects SSM version/label selectors in valueFrom (":${ref.selector}"); reference the parameter without it`,
    });
  }
  if (ref.kind === 'ssm-arn' && ref.account !== task.account) {
    out.push({
      code: 'cross-account-ssm',
      severity: 'error',
      message: `ECS rejects SSM parameter ARNs from another account (${ref.account}, task account ${task.account})`,
    });
  }
  if ((ref.kind === 'ssm-arn' || ref.kind === 'secretsmanager-arn') && ref.region !== task.region) {
    out.push({
      code: 'cross-region-reference',
      severity: 'info',
      message: `the ${ref.kind === 'ssm-arn' ? 'parameter' : 'secret'} is in ${ref.region}, not the task's region ${task.region}; this works only as a full ARN`,
    });
  }
  return out;
}
