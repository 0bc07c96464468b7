import { readFile } from 'node:fs/promises';
import { mapConcurrent } from '../core/concurrency.js';
import { regionOfArn } from '../core/ecs-types.js';
import { accountOfArn } from '../core/iam/ecs-request.js';
import type { AccessDecision } from '../core/iam/evaluate.js';
import type { FixPolicyDocument } from '../core/iam/fix-policy.js';
import {
  checkSecrets,
  type DecryptCell,
  type KmsKeyState,
  kmsKeyLookupKey,
  type Lookup,
  parameterLookupKey,
  planIdentityQuestions,
  planKmsKeyReads,
  planSecretsCheckReads,
  type RoleState,
  referencesFromTaskDefinition,
  type SecretMetadataState,
  type SecretsCheckFinding,
  type SecretsCheckInput,
  type SecretsCheckResult,
  secretLookupKey,
} from '../core/secrets/check.js';
import type { ParameterMetadata } from '../core/ssm-types.js';
import {
  parseTaskDefinition,
  readTaskDefinitionDocument,
  type TaskDefinitionView,
} from '../core/task-definition/parse.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';
import { type ApplyResult, applyChanges, confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveOneRegion } from './regions.js';

/** Parsed flags of `ecsops secrets check`. */
export interface SecretsCheckOptions extends MutatingOptions {
  taskDef?: string | undefined;
  file?: string | undefined;
  cluster?: string | undefined;
  services: string[];
  allServices: boolean;
  /** Execution role for a bare containerDefinitions file (or to try a candidate role). */
  executionRole?: string | undefined;
  fix: boolean;
  applyFix: boolean;
  iamSimulator: boolean;
}

/** Where IAM's simulator and ecsops disagree on one identity-side question. */
export interface SimulatorComparison {
  containerName: string;
  name: string;
  action: string;
  resource: string;
  ecsops: AccessDecision['decision'];
  simulator: 'allowed' | 'explicitDeny' | 'implicitDeny' | 'error';
  agrees: boolean;
  error?: string;
}

/** The check of one task definition: what was read, the result, and the optional simulator comparison. */
export interface TaskDefinitionSecretsReport {
  label: string;
  region: string;
  account: string;
  input: SecretsCheckInput;
  result: SecretsCheckResult;
  simulator?: SimulatorComparison[] | undefined;
}

const SIMULATOR_EQUIVALENT: Record<string, SimulatorComparison['simulator']> = {
  allowed: 'allowed',
  denied: 'explicitDeny',
  'not-allowed': 'implicitDeny',
};

/**
 * Reads what a task definition's secrets need (metadata only: DescribeParameters, DescribeSecret,
 * DescribeKey, key policy, grants, roles) and runs the check. `secrets migrate` calls this on the
 * task definition it is about to register.
 */
export async function checkTaskDefinitionSecrets(
  ctx: CommandContext,
  args: {
    view: TaskDefinitionView;
    region: string;
    /** The task's account; read with sts:GetCallerIdentity when omitted. */
    account?: string | undefined;
    label: string;
    iamSimulator?: boolean | undefined;
    /** Shared across the task definitions of one run, so a role or key used by many is read once. */
    cache?: SecretsCheckCache | undefined;
  },
): Promise<TaskDefinitionSecretsReport> {
  const { view, region } = args;
  const cache = args.cache ?? createSecretsCheckCache();
  const account = args.account ?? (await memo(cache.accounts, region, () => callerAccount(ctx, region)));
  const references = referencesFromTaskDefinition(view);
  const task = { region, account };
  const reads = planSecretsCheckReads(references, task);
  const limit = ctx.global.concurrency;

  // Roles do not depend on anything else read here: start them now, alongside the metadata reads.
  const roleArns = [...new Set([view.executionRoleArn, view.taskRoleArn].filter((a): a is string => !!a))];
  const rolesRead =
    references.length > 0
      ? Promise.all(
          roleArns.map((arn) =>
            memo(cache.roles, arn, async () => {
              return (await ctx.aws.iam()).readRoleState(arn);
            }),
          ),
        )
      : Promise.resolve([]);
  // Never leave the promise unobserved if an earlier read throws; it is awaited below.
  rolesRead.catch(() => undefined);

  const parameters: Record<string, Lookup<ParameterMetadata>> = {};
  const byRegion = new Map<string, typeof reads.parameters>();
  for (const p of reads.parameters) byRegion.set(p.region, [...(byRegion.get(p.region) ?? []), p]);
  const { isAccessDenied } = await import('../aws/iam.js');
  for (const [r, wanted] of byRegion) {
    try {
      const found = await (await ctx.aws.ssm(r)).describeParametersByName(wanted.map((w) => w.name));
      for (const w of wanted) {
        const m = found.find((f) => f.name === w.name);
        parameters[parameterLookupKey(w.parameterArn)] = m
          ? { status: 'found', value: m }
          : { status: 'missing' };
      }
    } catch (e) {
      if (!isAccessDenied(e)) throw e;
      for (const w of wanted) {
        parameters[parameterLookupKey(w.parameterArn)] = {
          status: 'unreadable',
          lackingPermission: 'ssm:DescribeParameters',
          reason: e.code,
        };
      }
    }
  }

  const secrets: Record<string, Lookup<SecretMetadataState>> = {};
  const secretResults = await mapConcurrent(
    reads.secrets,
    limit,
    async (s) => (await ctx.aws.secretsManager(s.region)).readSecretMetadata(s.secretId),
    ctx.signal,
  );
  reads.secrets.forEach((s, i) => {
    secrets[secretLookupKey(s.secretId)] = settledValue(secretResults[i]);
  });

  const keyReads = planKmsKeyReads({ references, region, account, parameters, secrets });
  const keys: Record<string, Lookup<KmsKeyState>> = {};
  const keyResults = await mapConcurrent(
    keyReads,
    limit,
    async (k) =>
      memo(cache.keys, `${k.region} ${k.keyId}`, async () =>
        (await ctx.aws.kms(k.region)).readKmsKeyState(k.keyId),
      ),
    ctx.signal,
  );
  keyReads.forEach((k, i) => {
    keys[kmsKeyLookupKey(k.region, k.keyId)] = settledValue(keyResults[i]);
  });

  const roles: Record<string, Lookup<RoleState>> = {};
  (await rolesRead).forEach((state, i) => {
    roles[roleArns[i] as string] = state;
  });

  const input: SecretsCheckInput = {
    region,
    account,
    references,
    executionRoleArn: view.executionRoleArn,
    taskRoleArn: view.taskRoleArn,
    roles,
    parameters,
    secrets,
    keys,
    fixPolicyName: `ecsops-secrets-${(view.family ?? 'task').replace(/[^\w+=,.@-]/g, '-')}`,
  };
  const result = checkSecrets(input);
  const report: TaskDefinitionSecretsReport = { label: args.label, region, account, input, result };
  if (args.iamSimulator) report.simulator = await compareWithSimulator(ctx, report);
  return report;
}

/** Reads shared by the task definitions of one `secrets check` run. */
export interface SecretsCheckCache {
  accounts: Map<string, Promise<string>>;
  roles: Map<string, Promise<Lookup<RoleState>>>;
  keys: Map<string, Promise<Lookup<KmsKeyState> | undefined>>;
}

/** An empty cache for one run. */
export function createSecretsCheckCache(): SecretsCheckCache {
  return { accounts: new Map(), roles: new Map(), keys: new Map() };
}

function memo<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = read();
    map.set(key, value);
  }
  return value;
}

function settledValue<T>(s: { status: string; value?: T; reason?: unknown } | undefined): T {
  if (s?.status === 'fulfilled') return s.value as T;
  if (s?.status === 'rejected') throw s.reason;
  throw new InterruptedError('Interrupted before every secret was checked.');
}

async function callerAccount(ctx: CommandContext, region: string): Promise<string> {
  return (await (await ctx.aws.sts(region)).getCallerIdentity()).account;
}

/**
 * Asks IAM's SimulatePrincipalPolicy the identity-side questions and marks disagreements. A
 * disagreement downgrades an `ok` result to `incomplete`: one of the two answers is wrong.
 */
async function compareWithSimulator(
  ctx: CommandContext,
  report: TaskDefinitionSecretsReport,
): Promise<SimulatorComparison[]> {
  const questions = planIdentityQuestions(report.input);
  if (questions.length === 0) return [];
  const iam = await ctx.aws.iam();
  const out: SimulatorComparison[] = [];
  for (const q of questions) {
    const base = {
      containerName: q.containerName,
      name: q.name,
      action: q.request.action,
      resource: q.request.resource,
      ecsops: q.ours.decision,
    };
    try {
      const sim = await iam.simulateRoleAction({
        roleArn: q.request.principalArn,
        action: q.request.action,
        resourceArn: q.request.resource,
        context: q.request.context.values,
      });
      // Our `unknown` is not a claim, so it cannot disagree.
      const agrees = q.ours.decision === 'unknown' || SIMULATOR_EQUIVALENT[q.ours.decision] === sim;
      out.push({ ...base, simulator: sim, agrees });
    } catch (e) {
      out.push({ ...base, simulator: 'error', agrees: true, error: describeError(e) });
    }
  }
  const result = report.result;
  for (const c of out.filter((x) => !x.agrees)) {
    result.findings.push({
      code: 'unknown',
      severity: 'warning',
      containerName: c.containerName,
      name: c.name,
      message: `IAM's policy simulator says ${c.simulator} for ${c.action} on ${c.resource}, ecsops says ${c.ecsops}`,
      remediation:
        'One of the two is wrong: check the policies by hand, and please report the case to ecsops with the policy documents.',
    });
  }
  for (const c of out.filter((x) => x.simulator === 'error')) {
    ctx.out.warn(`IAM policy simulator failed for ${c.action} on ${c.resource}: ${c.error}`);
  }
  if (result.status === 'ok' && out.some((x) => !x.agrees || x.simulator === 'error'))
    result.status = 'incomplete';
  return out;
}

/** The task definitions to check, with the region each lives in. */
async function readTargets(
  ctx: CommandContext,
  options: SecretsCheckOptions,
): Promise<{ label: string; region: string; view: TaskDefinitionView }[]> {
  const modes = [options.taskDef, options.file, options.cluster].filter((m) => m !== undefined).length;
  if (modes !== 1) {
    throw new UsageError(
      'Say what to check: exactly one of --task-def, --file or --cluster.',
      'Examples: ecsops secrets check --task-def web:42 | --file td.json | --cluster prod --service web',
    );
  }
  if (options.cluster && options.services.length === 0 && !options.allServices) {
    throw new UsageError('--cluster needs --service NAME... or --all-services');
  }
  if (options.services.length > 0 && options.allServices) {
    throw new UsageError('--service and --all-services cannot be used together');
  }
  if ((options.services.length > 0 || options.allServices) && !options.cluster) {
    throw new UsageError('--service and --all-services need --cluster');
  }
  const defaultRegion = () => resolveOneRegion(ctx, 'secrets check');

  if (options.file) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (e) {
      throw new InputError(`Cannot read ${options.file}: ${describeError(e)}`);
    }
    const parsed = parseTaskDefinition(text, options.file);
    const view = withExecutionRole(parsed.view, options.executionRole);
    if (parsed.shape === 'container-definitions' && !options.executionRole) {
      ctx.out.warn(
        `${options.file} is a bare containerDefinitions array; pass --execution-role ARN to check a role.`,
      );
    }
    return [{ label: options.file, region: await defaultRegion(), view }];
  }

  let taskDefs: string[];
  let region: string;
  if (options.taskDef) {
    region = regionOfArn(options.taskDef) ?? (await defaultRegion());
    taskDefs = [options.taskDef];
  } else {
    const cluster = options.cluster as string;
    region = regionOfArn(cluster) ?? (await defaultRegion());
    const ecs = await ctx.aws.ecs(region);
    const names = options.allServices ? await ecs.listServiceArns(cluster) : options.services;
    const { services, missing } = await ecs.describeServices(cluster, names);
    if (missing.length > 0) {
      throw new InputError(`Service not found in ${cluster}: ${missing.join(', ')}`, {
        hint: 'Check the names and --region.',
      });
    }
    taskDefs = [...new Set(services.map((s) => s.taskDefinition).filter(Boolean))];
    if (taskDefs.length === 0) throw new InputError(`No services to check in ${cluster}.`);
  }
  const ecs = await ctx.aws.ecs(region);
  const described = await mapConcurrent(
    taskDefs,
    ctx.global.concurrency,
    (td) => ecs.describeTaskDefinition(td),
    ctx.signal,
  );
  return described.map((s, i) => {
    const document = settledValue(s).taskDefinition;
    const label =
      typeof document.family === 'string'
        ? `${document.family}:${document.revision}`
        : (taskDefs[i] as string);
    const arn = typeof document.taskDefinitionArn === 'string' ? document.taskDefinitionArn : '';
    return {
      label,
      region: regionOfArn(arn) ?? region,
      view: withExecutionRole(readTaskDefinitionDocument(document, label).view, options.executionRole),
    };
  });
}

function withExecutionRole(view: TaskDefinitionView, arn: string | undefined): TaskDefinitionView {
  return arn ? { ...view, executionRoleArn: arn } : view;
}

/** `ecsops secrets check`: exit 0 when every secret is readable, 1 on findings, 3 when it could not decide. */
export async function runSecretsCheck(options: SecretsCheckOptions, ctx: CommandContext): Promise<ExitCode> {
  const { out } = ctx;
  const targets = await readTargets(ctx, options);
  // One cache for the run: services usually share an execution role and a key.
  const cache = createSecretsCheckCache();
  const checked = await mapConcurrent(
    targets,
    ctx.global.concurrency,
    (t) =>
      checkTaskDefinitionSecrets(ctx, {
        view: t.view,
        region: t.region,
        label: t.label,
        iamSimulator: options.iamSimulator,
        cache,
      }),
    ctx.signal,
  );
  let reports: TaskDefinitionSecretsReport[] = checked.map((s) => settledValue(s));

  if (!out.jsonMode)
    for (const r of reports) out.result(renderReport(r, ctx, options.fix || options.applyFix));

  let applied: {
    roleArn: string;
    policyName: string;
    status: 'applied' | 'failed' | 'planned';
    error?: string;
  }[] = [];
  if (options.applyFix) {
    const changes = planFixChanges(reports);
    applied = changes.map((c) => ({ roleArn: c.roleArn, policyName: c.policyName, status: 'planned' }));
    if (changes.length === 0) {
      if (!out.jsonMode)
        out.info('Nothing to apply: the execution role needs no IAM change ecsops can make.');
    } else {
      if (!out.jsonMode) {
        for (const c of changes) {
          out.result(
            out.colors.green(
              `+ iam:PutRolePolicy ${c.roleArn} ${c.policyName}${c.replaces ? ' (merged into the existing policy)' : ''}\n${indent(JSON.stringify(c.document, null, 2), '    ')}`,
            ),
          );
        }
        out.info(`Plan: ${changes.length} inline policy(ies) to put. Key policies are never edited.`);
      }
      const decision = await confirmApply(ctx, options, `Put ${changes.length} inline policy(ies)?`);
      if (decision === 'dry-run') {
        if (!out.jsonMode) out.info('Dry run: no changes were sent.');
      } else {
        const iam = await ctx.aws.iam();
        for (const [i, c] of changes.entries()) {
          const entry = applied[i] as (typeof applied)[number];
          try {
            await iam.putRoleInlinePolicy({
              roleArn: c.roleArn,
              policyName: c.policyName,
              document: c.document,
            });
            entry.status = 'applied';
            if (!out.jsonMode) out.result(`${out.colors.green('applied')}  ${c.roleArn} ${c.policyName}`);
          } catch (e) {
            entry.status = 'failed';
            entry.error = describeError(e);
            if (!out.jsonMode)
              out.result(`${out.colors.red('failed')}   ${c.roleArn} ${c.policyName}: ${entry.error}`);
          }
        }
        // Re-check from fresh reads so the exit code says whether the fix worked.
        if (applied.some((a) => a.status === 'applied')) {
          reports = [];
          for (const t of targets) {
            reports.push(
              await checkTaskDefinitionSecrets(ctx, { view: t.view, region: t.region, label: t.label }),
            );
          }
          if (!out.jsonMode) {
            out.info('After the fix:');
            for (const r of reports) out.result(renderReport(r, ctx, false));
          }
        }
        if (applied.some((a) => a.status === 'failed')) {
          if (out.jsonMode) writeJson(ctx, reports, options, applied);
          return ExitCode.partial;
        }
      }
    }
  }

  if (out.jsonMode) writeJson(ctx, reports, options, applied);
  return exitCodeFor(reports);
}

/** 1 when any task definition has findings, else 3 when any could not be decided, else 0. */
export function exitCodeFor(reports: readonly TaskDefinitionSecretsReport[]): ExitCode {
  if (reports.some((r) => r.result.status === 'findings')) return ExitCode.findings;
  if (reports.some((r) => r.result.status === 'incomplete')) return ExitCode.aws;
  return ExitCode.ok;
}

function writeJson(
  ctx: CommandContext,
  reports: readonly TaskDefinitionSecretsReport[],
  options: SecretsCheckOptions,
  applied: readonly unknown[],
): void {
  const code = exitCodeFor(reports);
  ctx.out.json({
    status: code === ExitCode.ok ? 'ok' : code === ExitCode.findings ? 'findings' : 'incomplete',
    taskDefinitions: reports.map((r) => ({
      taskDefinition: r.label,
      region: r.region,
      account: r.account,
      executionRoleArn: r.input.executionRoleArn ?? null,
      taskRoleArn: r.input.taskRoleArn ?? null,
      status: r.result.status,
      rows: r.result.rows,
      findings: r.result.findings,
      ...(options.fix || options.applyFix ? { fix: r.result.fix ?? null } : {}),
      ...(r.simulator ? { simulator: r.simulator } : {}),
    })),
    ...(options.applyFix ? { dryRun: options.dryRun, changes: applied } : {}),
  });
}

/** One PutRolePolicy per (role, policy name), merged with a same-named inline policy that exists. */
export interface FixChange {
  kind: 'put-role-policy';
  roleArn: string;
  policyName: string;
  document: FixPolicyDocument | { Version: string; Statement: unknown[] };
  /** True when an inline policy of that name exists and is being extended. */
  replaces: boolean;
  /** The caller's account (sts:GetCallerIdentity) the check ran as: a role of any other account is never written. */
  account: string;
}

/** Why a fix must not be written from here: its role belongs to another account than the caller's. */
export function crossAccountRefusal(change: Pick<FixChange, 'roleArn' | 'account'>): string | undefined {
  const roleAccount = accountOfArn(change.roleArn);
  if (roleAccount === change.account) return undefined;
  return `role ${change.roleArn} is in account ${roleAccount}, not the caller's account ${change.account}: ecsops never writes it from here (use --accounts/--assume-role or that account's credentials)`;
}

/** The progress and report label of a fix: the role and the inline policy name. */
export function fixChangeLabel(change: FixChange): string {
  return `${change.roleArn} ${change.policyName}`;
}

/**
 * Puts the planned inline policies through the one apply flow (confirm, Ctrl-C checked before each
 * write, applied / failed / skipped per change). A role of another account than the caller's is
 * skipped, never written. `secrets check --apply-fix` and `secrets migrate --apply-fix` share it.
 */
export async function applyRoleFixes(
  ctx: CommandContext,
  options: MutatingOptions,
  changes: readonly FixChange[],
): Promise<ApplyResult<FixChange>> {
  return applyChanges(ctx, options, {
    changes,
    question: `Put ${changes.length} inline policy(ies)?`,
    label: fixChangeLabel,
    blockedBy: (c) => crossAccountRefusal(c),
    applyOne: async (c) => {
      await (await ctx.aws.iam()).putRoleInlinePolicy({
        roleArn: c.roleArn,
        policyName: c.policyName,
        document: c.document,
      });
    },
  });
}

/** Plans the `--apply-fix` writes from the check reports (pure). */
export function planFixChanges(reports: readonly TaskDefinitionSecretsReport[]): FixChange[] {
  const byKey = new Map<string, FixChange>();
  for (const r of reports) {
    const fix = r.result.fix;
    if (!fix?.policy) continue;
    const key = `${fix.roleArn} ${fix.policyName}`;
    let change = byKey.get(key);
    if (!change) {
      const existing = existingInlineStatements(r.input, fix.roleArn, fix.policyName);
      change = {
        kind: 'put-role-policy',
        roleArn: fix.roleArn,
        policyName: fix.policyName,
        document: { Version: '2012-10-17', Statement: existing ?? [] },
        replaces: existing !== undefined,
        account: r.account,
      };
      byKey.set(key, change);
    }
    const statements = change.document.Statement as { Sid?: string }[];
    const sids = new Set(statements.map((s) => s.Sid));
    for (const st of fix.policy.Statement) {
      let sid = st.Sid;
      for (let n = 2; sids.has(sid); n++) sid = `${st.Sid}${n}`;
      sids.add(sid);
      statements.push({ ...st, Sid: sid });
    }
  }
  return [...byKey.values()];
}

function existingInlineStatements(
  input: SecretsCheckInput,
  roleArn: string,
  policyName: string,
): unknown[] | undefined {
  const role = input.roles[roleArn];
  if (role?.status !== 'found') return undefined;
  const doc = role.value.identityPolicies.find((p) => p.source === `inline policy ${policyName}`)?.document;
  if (doc === undefined) return undefined;
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc.trim().startsWith('{') ? doc : decodeURIComponent(doc));
    } catch {
      return undefined;
    }
  }
  const st = (parsed as { Statement?: unknown }).Statement;
  return Array.isArray(st) ? st : st ? [st] : undefined;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function cell(d: AccessDecision | DecryptCell | undefined, ctx: CommandContext): string {
  const c = ctx.out.colors;
  switch (d?.decision) {
    case undefined:
      return '-';
    case 'allowed':
      return c.green('ok');
    case 'not-needed':
      return '-';
    case 'denied':
      return c.red('DENIED');
    case 'not-allowed':
      return c.red('no');
    case 'unknown':
      return c.yellow('?');
  }
}

function renderReport(r: TaskDefinitionSecretsReport, ctx: CommandContext, withFix: boolean): string {
  const c = ctx.out.colors;
  const lines: string[] = [];
  const exec = r.input.executionRoleArn ?? '(none)';
  lines.push(
    `Task definition ${r.label} (${r.region}): execution role ${exec}${r.input.taskRoleArn ? `, task role ${r.input.taskRoleArn}` : ''}`,
  );
  const rows = r.result.rows;
  if (rows.length === 0) lines.push('  No secrets to check.');
  const containers = [...new Set(rows.map((row) => row.containerName))];
  for (const name of containers) {
    lines.push('', `Container ${name}:`);
    lines.push(
      indent(
        renderTable(
          ['NAME', 'REFERENCE', 'EXISTS', 'KEY', 'EXEC READ', 'EXEC KMS', 'TASK READ', 'TASK KMS'],
          rows
            .filter((row) => row.containerName === name)
            .map((row) => [
              row.name,
              row.valueFrom,
              row.exists,
              row.key,
              cell(row.execution.read, ctx),
              cell(row.execution.decrypt, ctx),
              row.task ? cell(row.task.read, ctx) : '-',
              row.task ? cell(row.task.decrypt, ctx) : '-',
            ]),
        ),
        '  ',
      ),
    );
  }
  const findings = r.result.findings;
  if (findings.length > 0) {
    lines.push('', 'Findings:');
    for (const f of findings) lines.push(renderFinding(f, ctx));
  }
  if (r.simulator?.length) {
    const disagreements = r.simulator.filter((s) => !s.agrees).length;
    lines.push(
      '',
      `IAM policy simulator: ${r.simulator.length} question(s), ${disagreements} disagreement(s).`,
    );
  }
  if (withFix && r.result.fix) {
    const fix = r.result.fix;
    if (fix.policy) {
      lines.push('', `Inline policy ${fix.policyName} for the execution role ${fix.roleArn}:`);
      lines.push(indent(JSON.stringify(fix.policy, null, 2), '  '));
    }
    for (const k of fix.keyPolicyStatements) {
      lines.push(
        '',
        `Add this statement to the key policy of ${k.keyArn} (ecsops never edits key policies):`,
      );
      lines.push(indent(JSON.stringify(k.statement, null, 2), '  '));
    }
    if (!fix.policy && fix.keyPolicyStatements.length === 0) lines.push('', 'Fix: nothing to add.');
  }
  const status =
    r.result.status === 'ok'
      ? c.green(
          'OK: the execution role can read and decrypt every secret (as far as the readable policies show).',
        )
      : r.result.status === 'findings'
        ? c.red(`${findings.filter((f) => f.severity === 'error').length} problem(s) found.`)
        : c.yellow('Could not decide everything: see the findings marked "unknown".');
  lines.push('', status);
  return lines.join('\n');
}

function renderFinding(f: SecretsCheckFinding, ctx: CommandContext): string {
  const c = ctx.out.colors;
  const sev =
    f.severity === 'error'
      ? c.red('error  ')
      : f.severity === 'warning'
        ? c.yellow('unknown')
        : c.gray('note   ');
  const where = f.containerName ? `${f.containerName}/${f.name}: ` : '';
  return `  ${sev} [${f.code}] ${where}${f.message}\n          fix: ${f.remediation}`;
}
