/**
 * How `secrets migrate` looks: the preview shown before any confirmation (diff, mapping table, size,
 * the check, the plan), then the result, once for people and once as the JSON document.
 */
import type { FixChange } from '../commands/secrets-check.js';
import type { SecretsMigrateChange, SecretsMigrateResult } from '../commands/secrets-migrate.js';
import type { TaskDefinitionPipelineResult } from '../commands/task-definition-pipeline.js';
import type { SecretsCheckResult } from '../core/secrets/check.js';
import { type MigrationResult, SECRETS_SOURCE_TAG } from '../core/secrets/migrate.js';
import { describeProblems } from '../core/task-definition/validate.js';
import { outcomesJson, reportOutcomes } from './apply.js';
import { renderUnifiedDiff } from './diff.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

/** A pipeline result whose check is the `secrets check` engine (secrets migrate, secrets sync). */
export type PipelineResult = TaskDefinitionPipelineResult<SecretsCheckResult>;

/** What the preview shows: the source, its text before and after, and the plan. */
export interface MigrationPreview {
  label: string;
  before: string;
  after: string;
  migration: MigrationResult;
}

/** Warnings, the unified diff, the mapping table and the size, on stderr (people only). */
export function showMigrationPreview(out: Reporter, preview: MigrationPreview): void {
  if (out.jsonMode) return;
  const { migration } = preview;
  for (const w of migration.warnings) out.warn(w);
  out.info(renderUnifiedDiff(baseName(preview.label), preview.before, preview.after));
  out.info(renderMappingTable(migration));
  out.info(
    `Size: ${migration.sizeBytes} of ${migration.sizeLimitBytes} bytes (${Math.round((migration.sizeBytes / migration.sizeLimitBytes) * 100)}% of the 64 KiB limit).`,
  );
}

/** The loud --skip-check warning (stderr, in every mode: it is about safety). */
export function showSkipCheckWarning(out: Reporter): void {
  out.warn(
    '--skip-check: NOT verifying that the execution role can read and decrypt these secrets. If it cannot, new tasks fail to start with ResourceInitializationError.',
  );
}

/** The check passed (before the confirmation). */
export function showCheckPassed(out: Reporter, when?: string): void {
  if (out.jsonMode) return;
  out.info(`Check${when ? ` ${when}` : ''}: the execution role can read and decrypt every secret.`);
}

/** The inline policies --apply-fix is about to put (stdout, dropped under --json), before its confirmation. */
export function showFixPlan(out: Reporter, fixes: readonly FixChange[]): void {
  if (out.jsonMode) return;
  out.warn('The execution role cannot use every secret of the new revision: --apply-fix puts this policy.');
  for (const c of fixes) {
    out.result(
      out.colors.green(
        `+ iam:PutRolePolicy ${c.roleArn} ${c.policyName}${c.replaces ? ' (merged into the existing policy)' : ''}\n${indent(JSON.stringify(c.document, null, 2), '    ')}`,
      ),
    );
  }
  out.info(
    `Plan: put ${fixes.length} inline policy(ies) on the execution role, re-check, then register. Key policies are never edited.`,
  );
}

/** A re-run found the migration registered already (before the plan that finishes the job). */
export function showAlreadyRegistered(out: Reporter, existing: { taskDefinitionArn: string }): void {
  if (out.jsonMode) return;
  out.info(
    `Already registered: ${existing.taskDefinitionArn} is this migration (same content, ${SECRETS_SOURCE_TAG} tag); not registering it again.`,
  );
}

/** `secrets migrate`: the new definition (stdout), what was written, registered and updated. */
export const secretsMigrateView: ResultView<SecretsMigrateResult> = {
  human(r, out) {
    switch (r.status) {
      case 'refused':
        for (const x of r.refusals) out.error(`${x.container === '*' ? '' : `${x.container}: `}${x.reason}`);
        out.info('Nothing was written: ecsops never emits a half-migrated task definition.');
        return;
      case 'check-failed':
        renderOutcomes(r, out);
        renderCheckFailure(out, r.recheck ?? r.check, r.nextCommand);
        return;
      case 'nothing-to-do':
        renderFile(r, out);
        if (r.alreadyRegistered) {
          out.info(
            `Already registered: ${r.alreadyRegistered.taskDefinitionArn} is this migration (same content, ${SECRETS_SOURCE_TAG} tag); nothing to register.`,
          );
          if (r.service?.current)
            out.info(`Service ${r.service.cluster}/${r.service.service} already runs it.`);
        } else out.info('Nothing to do: no env-loading wrapper found.');
        return;
      default:
        renderPipelineResult(r, out);
    }
  },
  json(r) {
    const m = r.migration;
    return {
      source: r.source.label,
      status: r.status,
      dryRun: r.dryRun,
      sizeBytes: m.sizeBytes,
      sizeLimitBytes: m.sizeLimitBytes,
      mappings: m.mappings,
      collisions: m.collisions,
      removedEnvironment: m.removedEnvironment,
      skippedSecrets: m.skippedSecrets,
      warnings: m.warnings,
      sources: m.sources,
      ...pipelineResultJson(r),
    };
  },
};

/**
 * The JSON fields every task-definition pipeline result shares (refusals, the new definition, the
 * file, the check, the registration, the service update, the outcomes); `secrets sync` uses it too.
 */
export function pipelineResultJson(r: PipelineResult): Record<string, unknown> {
  const update = r.apply?.outcomes.find((o) => o.change.kind === 'update-service');
  return {
    refusals: r.refusals,
    ...(r.taskDefinition !== undefined ? { taskDefinition: r.taskDefinition } : {}),
    ...(r.file?.written
      ? {
          written: r.file.path,
          writtenFile: r.file.written.written,
          ...(r.file.written.backup ? { backup: r.file.written.backup } : {}),
        }
      : {}),
    ...(r.registerProblems.length ? { registerProblems: r.registerProblems } : {}),
    ...(r.check ? { check: r.check } : {}),
    ...(r.recheck ? { recheck: r.recheck } : {}),
    ...(r.recheckError ? { recheckError: r.recheckError } : {}),
    ...(r.nextCommand ? { nextCommand: r.nextCommand } : {}),
    ...(r.alreadyRegistered ? { alreadyRegistered: r.alreadyRegistered } : {}),
    ...(r.registered ? { registered: r.registered } : {}),
    ...(r.service
      ? {
          service: {
            cluster: r.service.cluster,
            service: r.service.service,
            status: r.service.current
              ? 'current'
              : update?.status === 'applied'
                ? 'updated'
                : (update?.status ?? 'not-started'),
            taskDefinition: r.service.current ? r.alreadyRegistered?.taskDefinition : newRevision(r),
            previousTaskDefinition: r.service.previousTaskDefinition,
            ...(update?.reason !== undefined ? { error: update.reason } : {}),
          },
        }
      : {}),
    ...(r.rollbackCommand ? { rollbackCommand: r.rollbackCommand } : {}),
    ...(r.finishCommand ? { finishCommand: r.finishCommand } : {}),
    ...(r.wait
      ? {
          stable: r.wait.stable,
          waitTimeoutSeconds: r.wait.timeoutSeconds,
          ...(r.wait.error !== undefined ? { waitError: r.wait.error } : {}),
        }
      : {}),
    ...(r.apply ? outcomesJson(r.apply, (c) => changeJson(c, r)) : {}),
    ...(r.declined ? { declined: true } : {}),
  };
}

// What a migration run did: output, writes, registration, service update, wait.
function renderPipelineResult(r: PipelineResult, out: Reporter): void {
  if (r.registerProblems.length) {
    out.warn(`RegisterTaskDefinition would reject this output. ${describeProblems(r.registerProblems)}`);
  }
  if (r.stdoutText !== undefined) out.raw(r.stdoutText);
  renderFile(r, out);
  renderOutcomes(r, out);
  if (r.registered) out.result(`Registered ${r.registered.taskDefinitionArn}`);
  if (r.service && r.apply?.mode === 'apply') {
    const { cluster, service } = r.service;
    const update = r.apply.outcomes.find((o) => o.change.kind === 'update-service');
    if (update?.status === 'applied') {
      out.result(`Updated service ${cluster}/${service} to ${newRevision(r) ?? 'the new revision'}`);
      if (r.rollbackCommand) out.result(`Rollback: ${r.rollbackCommand}`);
    } else {
      out.result(
        `${r.apply.interrupted ? 'Interrupted: service' : 'Service'} ${cluster}/${service} was not updated.`,
      );
      if (r.finishCommand) out.info(`Finish with: ${r.finishCommand}`);
    }
  }
  if (r.wait) {
    const s = r.service;
    if (r.wait.stable) out.info(`Service ${s?.cluster}/${s?.service} is stable.`);
    else {
      out.error(
        `Service ${s?.cluster}/${s?.service} did not become stable: ${r.wait.error ?? 'unknown error'}`,
      );
      out.info(
        `Check its events (aws ecs describe-services --cluster ${s?.cluster} --services ${s?.service}); roll back with: ${r.rollbackCommand}`,
      );
    }
  }
}

// The apply outcomes (dry run, applied / failed / not started).
function renderOutcomes(r: PipelineResult, out: Reporter): void {
  const apply = r.apply;
  if (!apply) return;
  if (apply.mode === 'dry-run') {
    out.info(
      apply.outcomes.some((o) => o.change.kind === 'register')
        ? 'Dry run: nothing was registered.'
        : 'Dry run: no changes were sent.',
    );
    return;
  }
  reportOutcomes(out, apply, (c) => changeLabel(c, r), {
    applied: 'applied',
    rerunHint:
      'Re-run the same command to finish: the revision already registered is found and not registered again.',
  });
  if (r.declined) out.info('Declined: nothing was registered; the inline policy put above stays.');
}

// Where the new definition was written (or not, on a dry run).
function renderFile(r: PipelineResult, out: Reporter): void {
  const file = r.file;
  if (!file) return;
  if (file.written) {
    const { written, backup } = file.written;
    const through = written !== file.path ? ` (a symlink: wrote its target ${written})` : '';
    out.info(`Wrote ${file.path}${through}${backup ? ` (original kept as ${backup})` : ''}.`);
  } else if (r.dryRun) out.info(`Dry run: ${file.path} was not written.`);
}

/** Why nothing was registered: the check's findings, the fix, and the command that applies it. */
export function renderCheckFailure(
  out: Reporter,
  checked: SecretsCheckResult | { skipped: true } | undefined,
  nextCommand: string | undefined,
): void {
  out.error('Not registering: the execution role cannot use every secret of the new revision.');
  if (checked === undefined || 'skipped' in checked) return;
  for (const f of checked.findings.filter((x) => x.severity !== 'info')) {
    out.error(`${f.containerName ? `${f.containerName}/` : ''}${f.name ?? ''} ${f.code}: ${f.message}`);
  }
  if (checked.fix?.policy !== undefined) {
    out.info(`Add this inline policy (${checked.fix.policyName}) to ${checked.fix.roleArn}, then re-run:`);
    out.result(JSON.stringify(checked.fix.policy, null, 2));
  }
  for (const k of checked.fix?.keyPolicyStatements ?? []) {
    out.info(`Add to the key policy of ${k.keyArn}:`);
    out.result(JSON.stringify(k.statement, null, 2));
  }
  if (nextCommand) out.info(`Or let ecsops put the inline policy, re-check and register:\n  ${nextCommand}`);
}

// The revision the service was (or is to be) pointed at.
function newRevision(r: PipelineResult): string | undefined {
  if (r.alreadyRegistered) return r.alreadyRegistered.taskDefinition;
  if (!r.registered) return undefined;
  const family = r.registered.taskDefinitionArn.split('/').pop()?.split(':')[0];
  return family === undefined ? undefined : `${family}:${r.registered.revision}`;
}

function changeLabel(c: SecretsMigrateChange, r: PipelineResult): string {
  switch (c.kind) {
    case 'put-role-policy':
      return `put inline policy ${c.policyName} on ${c.roleArn}`;
    case 'prerequisite':
      return c.label;
    case 'register':
      return r.registered
        ? `register ${r.registered.taskDefinitionArn}`
        : `register a new revision of ${c.family}`;
    case 'update-service':
      return `point ${c.cluster}/${c.service} at ${c.taskDefinition ?? newRevision(r) ?? 'the new revision'}`;
    case 'write-file':
      return `write ${c.path}`;
  }
}

function changeJson(c: SecretsMigrateChange, r: PipelineResult): Record<string, unknown> {
  switch (c.kind) {
    case 'put-role-policy':
      return {
        kind: c.kind,
        roleArn: c.roleArn,
        policyName: c.policyName,
        replaces: c.replaces,
        document: c.document,
      };
    case 'prerequisite':
      return { kind: c.action, resource: c.resource };
    case 'register':
      return { kind: c.kind, region: c.region, family: c.family };
    case 'update-service':
      return {
        kind: c.kind,
        region: c.region,
        cluster: c.cluster,
        service: c.service,
        from: c.from,
        taskDefinition: c.taskDefinition ?? newRevision(r),
      };
    case 'write-file':
      return { kind: c.kind, path: c.path, inPlace: c.inPlace };
  }
}

function renderMappingTable(result: MigrationResult): string {
  const rows = result.mappings.map((m) => [m.container, m.name, m.parameter, m.rule]);
  const lines = [renderTable(['CONTAINER', 'ENV VAR', 'PARAMETER', 'RULE'], rows)];
  for (const c of result.collisions) {
    lines.push(
      `collision: ${c.container} ${c.name}: ${c.winner} wins over ${c.losers.join(', ')} (${c.reason})`,
    );
  }
  for (const r of result.removedEnvironment)
    lines.push(`removed env: ${r.container} ${r.name} (${r.reason})`);
  for (const s of result.skippedSecrets) lines.push(`skipped: ${s.container} ${s.name} (${s.reason})`);
  return lines.join('\n');
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}
