/**
 * `ecsops secrets check` results: per task definition a table per container, the findings, the
 * `--fix` policy, the IAM simulator comparison; with `--apply-fix` the plan, each PutRolePolicy's
 * outcome and the re-check. Once for people, once as the JSON document.
 */
import type {
  FixChange,
  SecretsCheckCommandResult,
  TaskDefinitionSecretsReport,
} from '../commands/secrets-check.js';
import type { AccessDecision } from '../core/iam/evaluate.js';
import {
  type DecryptCell,
  type SecretsCheckFinding,
  type SecretsCheckResult,
  summarizeSimulator,
} from '../core/secrets/check.js';
import { outcomesJson, reportOutcomes } from './apply.js';
import type { Colors } from './colors.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

/** The human and JSON renderers of `secrets check`. */
export const secretsCheckView: ResultView<SecretsCheckCommandResult> = {
  human(result, out) {
    const apply = result.apply;
    if (!result.shownBeforeApply) showChecks(out, result);
    if (!apply) return;
    const outcome = apply.result;
    if (outcome.mode === 'nothing-to-do') {
      out.info(
        result.reports.every((r) => r.result.status === 'ok')
          ? 'Nothing to apply: the execution role needs no IAM change ecsops can make.'
          : "Nothing to apply: no finding above can be fixed with an IAM change ecsops makes from here (see each finding's fix).",
      );
      return;
    }
    if (!result.shownBeforeApply)
      showPlan(
        out,
        outcome.outcomes.map((o) => o.change),
      );
    reportOutcomes(out, outcome, fixLabel);
    const recheck = apply.recheck;
    if (recheck?.status === 'done') {
      out.info('After the fix:');
      for (const r of recheck.reports) out.result(renderReport(r, out.colors, false));
    } else if (recheck?.status === 'failed') {
      out.error(`The re-check after the fix failed: ${recheck.error}`);
      out.info(
        'The policies reported as applied above were put; run the same check again to see whether the fix worked.',
      );
    } else if (recheck?.status === 'interrupted') {
      out.info('Interrupted before the re-check finished: run the same check again to see the result.');
    }
  },

  json(result) {
    const recheck = result.apply?.recheck;
    const reports = recheck?.status === 'done' ? recheck.reports : result.reports;
    const withFix = result.fix.kind !== 'none';
    const status = recheck !== undefined && recheck.status !== 'done' ? 'incomplete' : overallStatus(reports);
    return {
      status,
      taskDefinitions: reports.map((r) => ({
        taskDefinition: r.label,
        region: r.region,
        account: r.account,
        executionRoleArn: r.input.executionRoleArn ?? null,
        taskRoleArn: r.input.taskRoleArn ?? null,
        status: r.result.status,
        rows: r.result.rows,
        findings: r.result.findings,
        ...(withFix ? { fix: r.result.fix ?? null } : {}),
        ...(r.simulator ? { simulator: r.simulator, simulatorSummary: summarizeSimulator(r.simulator) } : {}),
      })),
      ...(result.fix.kind === 'apply' && result.apply
        ? {
            dryRun: result.fix.dryRun,
            ...applyJson(result.apply.result),
            ...(recheck === undefined
              ? {}
              : {
                  recheck:
                    recheck.status === 'done'
                      ? { status: 'done' }
                      : recheck.status === 'failed'
                        ? { status: 'failed', error: recheck.error }
                        : { status: 'interrupted' },
                }),
          }
        : {}),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
    };
  },
};

/**
 * What a person sees before --apply-fix writes (and before its prompt): the check and the planned
 * PutRolePolicy calls. The result view then skips both (`shownBeforeApply`). Nothing under --json,
 * whose one document carries it all.
 */
export function showSecretsCheckPlan(
  out: Reporter,
  result: SecretsCheckCommandResult,
  changes: readonly FixChange[],
): void {
  if (out.jsonMode) return;
  showChecks(out, result);
  showPlan(out, changes);
}

function showChecks(out: Reporter, result: SecretsCheckCommandResult): void {
  for (const w of result.warnings) out.warn(w);
  for (const r of result.reports) out.result(renderReport(r, out.colors, result.fix.kind !== 'none'));
}

function showPlan(out: Reporter, changes: readonly FixChange[]): void {
  if (changes.length === 0) return;
  for (const c of changes) {
    out.result(
      out.colors.green(
        `+ iam:PutRolePolicy ${c.roleArn} ${c.policyName}${c.replaces ? ' (merged into the existing policy)' : ''}\n${indent(JSON.stringify(c.document, null, 2), '    ')}`,
      ),
    );
  }
  out.info(`Plan: ${changes.length} inline policy(ies) to put. Key policies are never edited.`);
}

function fixLabel(c: FixChange): string {
  return `${c.roleArn} ${c.policyName}`;
}

function applyJson(result: NonNullable<SecretsCheckCommandResult['apply']>['result']) {
  return outcomesJson(result, (c) => ({
    roleArn: c.roleArn,
    policyName: c.policyName,
    replaces: c.replaces,
  }));
}

function overallStatus(reports: readonly TaskDefinitionSecretsReport[]): SecretsCheckResult['status'] {
  if (reports.some((r) => r.result.status === 'findings')) return 'findings';
  if (reports.some((r) => r.result.status === 'incomplete')) return 'incomplete';
  return 'ok';
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function cell(d: AccessDecision | DecryptCell | undefined, c: Colors): string {
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

function renderReport(r: TaskDefinitionSecretsReport, c: Colors, withFix: boolean): string {
  const lines: string[] = [];
  const exec = r.input.executionRoleArn ?? '(none)';
  lines.push(
    `Task definition ${r.label} (${r.region}): execution role ${exec}${r.input.taskRoleArn ? `, task role ${r.input.taskRoleArn}` : ''}`,
  );
  const rows = r.result.rows;
  const findings = r.result.findings;
  if (rows.length === 0) {
    lines.push(
      findings.some((f) => f.code === 'wrapper-not-migrated')
        ? '  No native secrets to check (an env-loading wrapper fetches them at runtime).'
        : '  No secrets to check.',
    );
  }
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
              cell(row.execution.read, c),
              cell(row.execution.decrypt, c),
              row.task ? cell(row.task.read, c) : '-',
              row.task ? cell(row.task.decrypt, c) : '-',
            ]),
        ),
        '  ',
      ),
    );
  }
  if (findings.length > 0) {
    lines.push('', 'Findings:');
    for (const f of findings) lines.push(renderFinding(f, c));
  }
  if (r.simulator?.length) lines.push('', simulatorLine(r.simulator));
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

function simulatorLine(comparisons: NonNullable<TaskDefinitionSecretsReport['simulator']>): string {
  const s = summarizeSimulator(comparisons);
  switch (s.verdict) {
    case 'not-compared':
      return `IAM policy simulator: the comparison could not be made: all ${s.failed} simulator call(s) failed.`;
    case 'partly-compared':
      return `IAM policy simulator: ${s.questions} question(s), ${s.compared} compared, ${s.disagreements} disagreement(s), ${s.failed} not compared (the simulator call failed).`;
    case 'agrees':
    case 'disagrees':
      return `IAM policy simulator: ${s.questions} question(s), ${s.disagreements} disagreement(s).`;
  }
}

function renderFinding(f: SecretsCheckFinding, c: Colors): string {
  const sev =
    f.severity === 'error'
      ? c.red('error  ')
      : f.severity === 'warning'
        ? c.yellow('unknown')
        : c.gray('note   ');
  const where = f.containerName ? `${f.containerName}${f.name ? `/${f.name}` : ''}: ` : '';
  return `  ${sev} [${f.code}] ${where}${f.message}\n          fix: ${f.remediation}`;
}
