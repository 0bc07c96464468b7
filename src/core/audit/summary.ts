/** Sorting, the summary by kind and account, and the exit code of `ecsops audit` (pure). */
import { ExitCode } from '../../errors.js';
import type { AuditFinding } from './findings.js';
import { AUDIT_KIND_NAMES, type AuditKind, type AuditSeverity, severityRank } from './kinds.js';

/** One row of the summary table: how many findings of a kind an account has. */
export interface AuditSummaryRow {
  kind: AuditKind;
  severity: AuditSeverity;
  account: string;
  count: number;
}

const kindRank = (k: AuditKind) => AUDIT_KIND_NAMES.indexOf(k);

/** Findings most severe first, then by kind, account, region and resource: the same order every run. */
export function sortFindings(findings: readonly AuditFinding[]): AuditFinding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      kindRank(a.kind) - kindRank(b.kind) ||
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.resource.name.localeCompare(b.resource.name) ||
      (a.container ?? '').localeCompare(b.container ?? '') ||
      (a.secretName ?? '').localeCompare(b.secretName ?? ''),
  );
}

/** The count of findings per kind and account, most severe kind first. */
export function summarizeFindings(findings: readonly AuditFinding[]): AuditSummaryRow[] {
  const rows = new Map<string, AuditSummaryRow>();
  for (const f of findings) {
    const key = `${f.kind} ${f.account}`;
    const row = rows.get(key) ?? { kind: f.kind, severity: f.severity, account: f.account, count: 0 };
    row.count++;
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      kindRank(a.kind) - kindRank(b.kind) ||
      a.account.localeCompare(b.account),
  );
}

/**
 * 3 when some part could not be read (the findings are then incomplete, so "clean" or "only these"
 * cannot be claimed), else 1 when any finding is more than a note, else 0 (docs/audit.md, decisions).
 */
export function auditExitCode(findings: readonly AuditFinding[], unreadableParts: number): ExitCode {
  if (unreadableParts > 0) return ExitCode.aws;
  if (findings.some((f) => f.severity !== 'info')) return ExitCode.findings;
  return ExitCode.ok;
}
