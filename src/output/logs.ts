/**
 * How `logs migrate` and `logs check` look: the preview before any confirmation (diff, container
 * table, size, the generated Fluent Bit configuration), the role check, and the results, once for
 * people and once as the JSON document.
 */
import type { LogsCheckCommandResult, LogsRolesReport } from '../commands/logs-check.js';
import type { LogsMigrateResult } from '../commands/logs-migrate.js';
import type { FixChange } from '../commands/secrets-check.js';
import type { PipelineMessages } from '../commands/task-definition-pipeline.js';
import type { LogsCheckCell, LogsCheckResult } from '../core/logs/check.js';
import { LOGS_SOURCE_TAG, type LogsMigrationPlan } from '../core/logs/migrate.js';
import { describeProblems } from '../core/task-definition/validate.js';
import { outcomesJson, reportOutcomes } from './apply.js';
import { renderUnifiedDiff } from './diff.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';
import {
  pipelineChangeJson,
  renderPipelineApply,
  renderPipelineOutcome,
} from './task-definition-pipeline.js';

const PITFALL =
  'awslogs ships logs with the task EXECUTION role; FireLens ships them from the router with the TASK role.';

/** Warnings, the diff, the container table, the size and the generated configuration (stderr, people only). */
export function showLogsPreview(
  out: Reporter,
  preview: { label: string; before: string; after: string; migration: LogsMigrationPlan },
): void {
  if (out.jsonMode) return;
  const { migration } = preview;
  for (const w of migration.warnings) out.warn(w);
  out.info(renderUnifiedDiff(preview.label.split('/').pop() ?? preview.label, preview.before, preview.after));
  out.info(renderContainerTable(migration));
  out.info(
    `Size: ${migration.sizeBytes} of ${migration.sizeLimitBytes} bytes (${Math.round((migration.sizeBytes / migration.sizeLimitBytes) * 100)}% of the 64 KiB limit).`,
  );
  if (migration.config) out.info(`Fluent Bit configuration:\n${migration.config.main}`);
  if (migration.config?.parsers) out.info(`Fluent Bit parsers:\n${migration.config.parsers}`);
  out.info(`Note: ${PITFALL}`);
}

/** The pipeline's messages in `logs migrate`'s words. */
export const logsMigrateMessages: PipelineMessages = {
  checkPassed(out, when) {
    if (out.jsonMode) return;
    out.info(
      `Check${when ? ` ${when}` : ''}: the task role can write every FireLens destination and the execution role the router's awslogs group.`,
    );
  },
  skipCheckWarning(out) {
    out.warn(`--skip-check: NOT verifying the roles. ${PITFALL}`);
  },
  fixPlan(out, fixes) {
    if (out.jsonMode) return;
    out.warn(
      `The roles cannot write every log destination of the new revision: --apply-fix puts this policy. ${PITFALL}`,
    );
    renderFixChanges(out, fixes);
  },
  alreadyRegistered(out, existing) {
    if (out.jsonMode) return;
    out.info(
      `Already registered: ${existing.taskDefinitionArn} is this migration (same content, ${LOGS_SOURCE_TAG} tag); not registering it again.`,
    );
  },
  fixNotApplied: 'the role fix was not applied',
};

/** The --apply-fix plan of `logs check`. */
export function showLogsFixPlan(out: Reporter, report: LogsRolesReport): void {
  if (out.jsonMode) return;
  out.info(renderCells(report.result.cells));
  out.warn(`Gaps found. ${PITFALL} --apply-fix puts:`);
  renderFixChanges(out, report.fixChanges);
}

function renderFixChanges(out: Reporter, fixes: readonly FixChange[]): void {
  for (const c of fixes) {
    out.result(
      out.colors.green(
        `+ iam:PutRolePolicy ${c.roleArn} ${c.policyName}${c.replaces ? ' (merged into the existing policy)' : ''}\n${JSON.stringify(c.document, null, 2)}`,
      ),
    );
  }
}

/** `logs migrate`: the new definition (stdout), what was uploaded, written, registered and updated. */
export const logsMigrateView: ResultView<LogsMigrateResult> = {
  human(r, out) {
    switch (r.status) {
      case 'refused':
        for (const x of r.refusals) out.error(`${x.container === '*' ? '' : `${x.container}: `}${x.reason}`);
        out.info('Nothing was written: ecsops never emits a half-migrated task definition.');
        return;
      case 'check-failed':
        renderPipelineApply(r, out);
        out.error(`Not registering: the roles cannot write every log destination. ${PITFALL}`);
        renderCheck(out, r.recheck ?? (r.check && 'skipped' in r.check ? undefined : r.check));
        if (r.nextCommand)
          out.info(`Or let ecsops put the policy, re-check and register:\n  ${r.nextCommand}`);
        return;
      case 'nothing-to-do':
        if (r.alreadyRegistered) {
          out.info(
            `Already registered: ${r.alreadyRegistered.taskDefinitionArn} is this migration; nothing to register.`,
          );
          if (r.service?.current)
            out.info(`Service ${r.service.cluster}/${r.service.service} already runs it.`);
        } else out.info('Nothing to do: no container uses awslogs (a second run of a migration).');
        return;
      default:
        if (r.registerProblems.length) {
          out.warn(
            `RegisterTaskDefinition would reject this output. ${describeProblems(r.registerProblems)}`,
          );
        }
        if (r.stdoutText !== undefined) out.raw(r.stdoutText);
        for (const f of r.configFiles ?? []) out.info(`Wrote the Fluent Bit configuration to ${f}.`);
        for (const o of r.configObjects)
          if (o.upToDate) out.info(`${o.uri} is up to date; not uploaded again.`);
        renderPipelineOutcome(r, out);
    }
  },
  json(r) {
    const m = r.migration;
    return {
      source: r.source.label,
      status: r.status,
      dryRun: r.dryRun,
      containers: m.rows,
      warnings: m.warnings,
      refusals: r.refusals,
      sizeBytes: m.sizeBytes,
      sizeLimitBytes: m.sizeLimitBytes,
      ...(r.routerImage ? { routerImage: r.routerImage } : {}),
      ...(m.config ? { fluentBitConfig: m.config.main, destinations: m.config.destinations } : {}),
      ...(m.config?.parsers ? { fluentBitParsers: m.config.parsers } : {}),
      ...(r.configObjects.length ? { configObjects: r.configObjects } : {}),
      ...(r.configFiles ? { configFiles: r.configFiles } : {}),
      ...(r.taskDefinition !== undefined ? { taskDefinition: r.taskDefinition } : {}),
      ...(r.file?.written
        ? { written: r.file.path, ...(r.file.written.backup ? { backup: r.file.written.backup } : {}) }
        : {}),
      ...(r.registerProblems.length ? { registerProblems: r.registerProblems } : {}),
      ...(r.check ? { check: 'skipped' in r.check ? r.check : checkJson(r.check) } : {}),
      ...(r.recheck ? { recheck: checkJson(r.recheck) } : {}),
      ...(r.recheckError ? { recheckError: r.recheckError } : {}),
      ...(r.nextCommand ? { nextCommand: r.nextCommand } : {}),
      ...(r.alreadyRegistered ? { alreadyRegistered: r.alreadyRegistered } : {}),
      ...(r.registered ? { registered: r.registered } : {}),
      ...(r.service ? { service: r.service } : {}),
      ...(r.rollbackCommand ? { rollbackCommand: r.rollbackCommand } : {}),
      ...(r.finishCommand ? { finishCommand: r.finishCommand } : {}),
      ...(r.wait ? { stable: r.wait.stable, ...(r.wait.error ? { waitError: r.wait.error } : {}) } : {}),
      ...(r.apply ? outcomesJson(r.apply, pipelineChangeJson) : {}),
      ...(r.declined ? { declined: true } : {}),
    };
  },
};

/** `logs check`: one row per container, role, action and resource. */
export const logsCheckView: ResultView<LogsCheckCommandResult> = {
  human(r, out) {
    const report = r.recheck && 'result' in r.recheck ? r.recheck : r.report;
    out.result(
      `${report.label}: task role ${report.taskRoleArn ?? '(none)'}, execution role ${report.executionRoleArn ?? '(none)'}`,
    );
    out.result(renderCells(report.result.cells));
    for (const f of report.result.findings) out.error(f.message);
    if (report.result.findings.length > 0) out.info(PITFALL);
    if (r.apply) {
      reportOutcomes(out, r.apply, (c) => `put inline policy ${c.policyName} on ${c.roleArn}`, {
        applied: 'applied',
      });
      if (r.recheck && 'error' in r.recheck) out.error(`Re-check failed: ${r.recheck.error}`);
    } else if (r.fix.kind === 'print' || report.result.findings.length > 0) {
      for (const f of report.fixChanges) {
        out.info(`Least-privilege inline policy ${f.policyName} for ${f.roleArn}:`);
        out.result(JSON.stringify(f.document, null, 2));
      }
    }
    if (report.result.status === 'ok')
      out.info('Every log destination is writable by the role that ships to it.');
  },
  json(r) {
    const report = r.recheck && 'result' in r.recheck ? r.recheck : r.report;
    return {
      taskDefinition: report.label,
      region: report.region,
      taskRoleArn: report.taskRoleArn,
      executionRoleArn: report.executionRoleArn,
      ...checkJson(report.result),
      fixes: report.fixChanges.map((f) => ({
        roleArn: f.roleArn,
        policyName: f.policyName,
        document: f.document,
      })),
      ...(r.apply
        ? {
            apply: outcomesJson(r.apply, (c) => ({
              kind: c.kind,
              roleArn: c.roleArn,
              policyName: c.policyName,
            })),
          }
        : {}),
      ...(r.recheck && 'error' in r.recheck ? { recheckError: r.recheck.error } : {}),
      ...(r.recheck && 'result' in r.recheck ? { before: checkJson(r.report.result) } : {}),
    };
  },
};

function checkJson(result: LogsCheckResult): Record<string, unknown> {
  return {
    status: result.status,
    cells: result.cells.map((c) => ({
      container: c.container,
      via: c.via,
      role: c.role,
      roleArn: c.roleArn,
      action: c.action,
      resource: c.resource,
      decision: c.decision.decision,
      ...('reason' in c.decision ? { reason: c.decision.reason } : {}),
      ...('deniedBy' in c.decision ? { deniedBy: c.decision.deniedBy } : {}),
      ...('allowedBy' in c.decision ? { allowedBy: c.decision.allowedBy } : {}),
    })),
    findings: result.findings,
  };
}

function renderCells(cells: readonly LogsCheckCell[]): string {
  if (cells.length === 0) return 'No log destinations to check (no awslogs or awsfirelens container).';
  return renderTable(
    ['CONTAINER', 'VIA', 'ROLE', 'ACTION', 'RESOURCE', 'DECISION'],
    cells.map((c) => [c.container, c.via, c.role, c.action, c.resource, decisionText(c)]),
  );
}

function decisionText(c: LogsCheckCell): string {
  const d = c.decision;
  switch (d.decision) {
    case 'allowed':
      return 'allowed';
    case 'denied':
      return `DENIED (${d.deniedBy})`;
    default:
      return `${d.decision.toUpperCase()} (${d.reason})`;
  }
}

function renderCheck(out: Reporter, result: LogsCheckResult | undefined): void {
  if (!result) return;
  out.info(renderCells(result.cells));
  for (const f of result.findings) out.error(f.message);
  for (const fix of result.fixes) {
    out.info(
      `Add this inline policy (${fix.policyName}) to the ${fix.role} role ${fix.roleArn}, then re-run:`,
    );
    out.result(JSON.stringify(fix.policy, null, 2));
  }
}

function renderContainerTable(m: LogsMigrationPlan): string {
  return renderTable(
    ['CONTAINER', 'FROM', 'ACTION', 'DETAIL'],
    m.rows.map((r) => [r.container, r.from, r.action, r.detail]),
  );
}
